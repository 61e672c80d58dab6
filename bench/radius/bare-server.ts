/**
 * Baseline: a bare UDP RADIUS server that only decodes, checks the authenticator and answers
 * (Accounting-Response, or Access-Accept with Message-Authenticator) — no policy, no database.
 * Prints {"authPort","acctPort"} on stdout when ready.
 */
import dgram from 'node:dgram';
import type * as ProtocolModule from '../../src/radius/protocol/index.js';
import { appModule } from './app.js';

// The same code as the run's Portico servers (the build, or with BENCH_APP=src the sources).
const { Code, decodePacket, encodeReply, verifyMessageAuthenticator, verifyZeroAuthenticatorRequest } =
  await appModule<typeof ProtocolModule>('radius/protocol/index.js');

const secret = Buffer.from(process.env.BENCH_SECRET ?? 'bench-secret-0123');

function serve(): Promise<number> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  socket.on('message', (message, rinfo) => {
    const decoded = decodePacket(message);
    if (!decoded.ok) return;
    const packet = decoded.packet;
    let reply: Buffer | undefined;
    if (packet.code === Code.AccountingRequest) {
      if (!verifyZeroAuthenticatorRequest(packet.raw, secret)) return;
      reply = encodeReply(packet, Code.AccountingResponse, secret, { messageAuthenticator: false });
    } else if (packet.code === Code.AccessRequest) {
      if (!verifyMessageAuthenticator(packet, secret)) return;
      reply = encodeReply(packet, Code.AccessAccept, secret, { messageAuthenticator: true });
    }
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
}

const authPort = await serve();
const acctPort = await serve();
console.log(JSON.stringify({ authPort, acctPort }));
