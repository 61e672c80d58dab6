/**
 * The `log` gateway, for development and the demo: marks the message sent and writes the
 * recipient and the full text (login codes included) to the server log.
 */
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { OutgoingSms, SendResult, SmsGateway } from '../gateway.js';

export class LogGateway implements SmsGateway {
  readonly type = 'log' as const;
  constructor(
    private readonly logger: Logger,
    private readonly gatewayName: string,
  ) {}

  async send(message: OutgoingSms): Promise<SendResult> {
    const externalId = `log-${crypto.randomBytes(6).toString('hex')}`;
    this.logger.info(
      { sms: { gateway: this.gatewayName, to: message.to, text: message.text, id: externalId } },
      `SMS to ${message.to}: ${message.text}`,
    );
    return { externalId, answer: 'written to the server log' };
  }
}
