/** Minimal types for the `smpp` 0.5.1 package (it ships none): only what Portico uses. */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface Pdu {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    response(options?: Record<string, unknown>): Pdu;
    isResponse(): boolean;
  }

  type Callback = (pdu: Pdu) => void;

  export class Session extends EventEmitter {
    socket: Socket;
    send(pdu: Pdu, responseCallback?: Callback, sendCallback?: Callback): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    bind_transceiver(options: Record<string, unknown>, callback?: Callback): boolean;
    bind_transmitter(options: Record<string, unknown>, callback?: Callback): boolean;
    submit_sm(options: Record<string, unknown>, callback?: Callback): boolean;
    deliver_sm(options: Record<string, unknown>, callback?: Callback): boolean;
    enquire_link(options?: Record<string, unknown> | Callback, callback?: Callback): boolean;
    unbind(options?: Record<string, unknown> | Callback, callback?: Callback): boolean;
    pause(): void;
    resume(): void;
  }

  export interface Server extends NetServer {
    sessions: Session[];
  }

  export function connect(options: Record<string, unknown>, listener?: () => void): Session;
  export function createServer(
    options: Record<string, unknown> | ((session: Session) => void),
    listener?: (session: Session) => void,
  ): Server;

  export class PDU implements Pdu {
    constructor(command: string, options?: Record<string, unknown>);
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    response(options?: Record<string, unknown>): Pdu;
    isResponse(): boolean;
    toBuffer(): Buffer;
  }

  const smpp: {
    connect: typeof connect;
    createServer: typeof createServer;
    PDU: typeof PDU;
    errors: Record<string, number>;
    [key: string]: unknown;
  };
  export default smpp;
}
