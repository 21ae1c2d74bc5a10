import { Module } from '@nestjs/common';
import { LegacyIdAllocator } from './legacy-id-allocator';

/** Legacy ids for the old system's tables; the platform (pipeline, record database, config) is global. */
@Module({
  providers: [LegacyIdAllocator],
  exports: [LegacyIdAllocator],
})
export class LegacyIdsModule {}
