import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the board's routes serve: a name the browser asks for → a file on disk. */
export interface BoardFile {
  path: string;
  contentType: string;
}

/** The repository (or image) root: the nearest folder up from here holding package.json. */
function rootFrom(start: string): string {
  let folder = start;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) return process.cwd();
    folder = parent;
  }
  return folder;
}

/**
 * Where `npm run build:board` puts the board: `dist/board/` (pages, style) and, below it, the
 * compiled modules under their source path. The Socket.IO client comes from its package.
 */
export class BoardFiles {
  readonly boardFolder: string;
  private readonly moduleFolder: string;
  private readonly socketIoClient: string;

  constructor(root = rootFrom(__dirname)) {
    this.boardFolder = join(root, 'dist', 'board');
    this.moduleFolder = join(this.boardFolder, 'apps', 'board', 'src');
    this.socketIoClient = join(dirname(require.resolve('socket.io-client/package.json')), 'dist', 'socket.io.min.js');
  }

  page(name: 'board' | 'login'): BoardFile {
    return { path: join(this.boardFolder, `${name}.html`), contentType: 'text/html; charset=utf-8' };
  }

  /** An asset by its plain file name; anything else (paths, dots, other types) is none. */
  asset(name: string): BoardFile | null {
    if (name === 'socket.io.min.js') return { path: this.socketIoClient, contentType: JAVASCRIPT };
    const match = /^([a-z][a-z0-9-]{0,63})\.(js|css)$/.exec(name);
    if (!match) return null;
    return match[2] === 'js'
      ? { path: join(this.moduleFolder, name), contentType: JAVASCRIPT }
      : { path: join(this.boardFolder, name), contentType: 'text/css; charset=utf-8' };
  }
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';
