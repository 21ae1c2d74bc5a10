import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QueueEvents } from 'bullmq';
import type { TracershopConfig } from '@tracershop/config';
import { MAINTENANCE_QUEUE, MaintenanceQueue, queuePrefix } from '../../apps/worker/src/maintenance-queue';

/** Queues a hash-chain verification on the worker and answers its job id and result, once it is done. */
export function verifyThroughTheQueue(
  worker: NestFastifyApplication,
  config: TracershopConfig,
): Promise<{ jobId: string | undefined; result: unknown }> {
  return runThroughTheQueue(config, () => worker.get(MaintenanceQueue).enqueueVerification());
}

/** Queues an anchor of the record on the worker and answers its job id and result, once it is done. */
export function anchorThroughTheQueue(
  worker: NestFastifyApplication,
  config: TracershopConfig,
): Promise<{ jobId: string | undefined; result: unknown }> {
  return runThroughTheQueue(config, () => worker.get(MaintenanceQueue).enqueueAnchor());
}

async function runThroughTheQueue(
  config: TracershopConfig,
  enqueue: () => Promise<string | undefined>,
): Promise<{ jobId: string | undefined; result: unknown }> {
  const events = new QueueEvents(MAINTENANCE_QUEUE, {
    connection: { url: config.redisUrl },
    prefix: queuePrefix(config),
  });
  try {
    await events.waitUntilReady();
    const jobId = await enqueue();
    const result = await new Promise<unknown>((resolve, reject) => {
      events.on('completed', ({ jobId: id, returnvalue }) => id === jobId && resolve(returnvalue));
      events.on('failed', ({ jobId: id, failedReason }) => id === jobId && reject(new Error(failedReason)));
    });
    return { jobId, result };
  } finally {
    await events.close();
  }
}
