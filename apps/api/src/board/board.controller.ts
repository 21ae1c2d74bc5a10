import { readFile } from 'node:fs/promises';
import { Controller, Get, HttpStatus, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HttpProblem, Public } from '@tracershop/platform';
import { BoardFiles, type BoardFile } from './board-files';

/**
 * Scripts and styles from this origin only; the socket connects to it too. Nothing may frame the
 * pages, and no inline script runs.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The production board and its login page (apps/board, built by `npm run build:board`). The pages
 * and their files are public; every datum they show comes from routes that need a session.
 */
@ApiExcludeController()
@Controller('board')
export class BoardController {
  private readonly files = new BoardFiles();

  @Get()
  @Public()
  board(@Res() reply: FastifyReply) {
    return this.send(reply, this.files.page('board'), true);
  }

  @Get('login')
  @Public()
  login(@Res() reply: FastifyReply) {
    return this.send(reply, this.files.page('login'), true);
  }

  @Get('assets/:file')
  @Public()
  asset(@Param('file') name: string, @Res() reply: FastifyReply) {
    const file = this.files.asset(name);
    if (!file) throw new HttpProblem(HttpStatus.NOT_FOUND, 'NOT_FOUND', `No board file ${name}`);
    return this.send(reply, file, false);
  }

  private async send(reply: FastifyReply, file: BoardFile, page: boolean): Promise<void> {
    let content: Buffer;
    try {
      content = await readFile(file.path);
    } catch {
      throw page
        ? new HttpProblem(
            HttpStatus.SERVICE_UNAVAILABLE,
            'BOARD_NOT_BUILT',
            'The board is not built: npm run build:board',
          )
        : new HttpProblem(HttpStatus.NOT_FOUND, 'NOT_FOUND', 'No such board file');
    }
    await reply
      .type(file.contentType)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('referrer-policy', 'same-origin')
      .send(content);
  }
}
