import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QueueEvents } from 'bullmq';
import type { TracershopConfig } from '@tracershop/config';
import { MAINTENANCE_QUEUE, MaintenanceQueue, queuePrefix } from '../../apps/worker/src/maintenance-queue';

/** Queues a hash-chain verification on the worker and answers its job id and result, once it is done. */
export async function verifyThroughTheQueue(
  worker: NestFastifyApplication,
  config: TracershopConfig,
): Promise<{ jobId: string | undefined; result: unknown }> {
  const events = new QueueEvents(MAINTENANCE_QUEUE, {
    connection: { url: config.redisUrl },
    prefix: queuePrefix(config),
  });
  try {
    await events.waitUntilReady();
    const jobId = await worker.get(MaintenanceQueue).enqueueVerification();
    const result = await new Promise<unknown>((resolve, reject) => {
      events.on('completed', ({ jobId: id, returnvalue }) => id === jobId && resolve(returnvalue));
      events.on('failed', ({ jobId: id, failedReason }) => id === jobId && reject(new Error(failedReason)));
    });
    return { jobId, result };
  } finally {
    await events.close();
  }
}
