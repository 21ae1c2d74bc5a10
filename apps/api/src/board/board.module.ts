import { Module } from '@nestjs/common';
import { BoardController } from './board.controller';

/** Serves the live production board's pages and files (public; their data needs a session). */
@Module({ controllers: [BoardController] })
export class BoardModule {}
