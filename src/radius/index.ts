export {
  RadiusServer,
  RECV_BUFFER_BYTES,
  type RadiusHandlers,
  type RadiusServerOptions,
  type DropReason,
} from './server.js';
export { AccessHandler } from './access.js';
export { AccountingHandler } from './accounting.js';
export { DisconnectClient, type DisconnectClientOptions } from './dynauth.js';
