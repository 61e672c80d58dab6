/** Metered wrappers the composition root puts around ports: SMS sends, disconnects, OTP outcomes. */
import type { Metrics } from '../metrics/index.js';
import { OtpService } from '../otp/index.js';
import { createGateway, type GatewayFactoryDeps, type SmsGateway } from '../sms/index.js';
import type { SmsGatewayRow } from '../store/index.js';
import type { SessionTerminator } from '../usage/index.js';

/** Builds gateways whose every send attempt is counted by gateway type and outcome. */
export function meteredGatewayFactory(
  metrics: Metrics,
): (row: SmsGatewayRow, deps: GatewayFactoryDeps) => SmsGateway {
  return (row, deps) => {
    const gateway = createGateway(row, deps);
    const send = gateway.send.bind(gateway);
    gateway.send = async (message) => {
      try {
        const result = await send(message);
        metrics.smsSend(gateway.type, 'sent');
        return result;
      } catch (error) {
        metrics.smsSend(gateway.type, 'failed');
        throw error;
      }
    };
    return gateway;
  };
}

/** Counts every Disconnect-Request's outcome (acked, nacked, timeout; error when it threw). */
export function meteredTerminator(inner: SessionTerminator, metrics: Metrics): SessionTerminator {
  return {
    async disconnect(target) {
      try {
        const outcome = await inner.disconnect(target);
        metrics.disconnect(outcome.status);
        return outcome;
      } catch (error) {
        metrics.disconnect('error');
        throw error;
      }
    },
  };
}

/** The portal's one-time codes, counted: requested, rate limited, verified, failed. */
export class MeteredOtpService extends OtpService {
  private readonly metrics: Metrics;

  constructor(deps: ConstructorParameters<typeof OtpService>[0] & { metrics: Metrics }) {
    super(deps);
    this.metrics = deps.metrics;
  }

  override async start(input: Parameters<OtpService['start']>[0]): ReturnType<OtpService['start']> {
    const started = await super.start(input);
    this.metrics.otpEvent(started.kind === 'code-sent' ? 'requested' : 'rate_limited');
    return started;
  }

  override async verify(input: Parameters<OtpService['verify']>[0]): ReturnType<OtpService['verify']> {
    const verified = await super.verify(input);
    this.metrics.otpEvent(verified.kind === 'verified' ? 'verified' : 'failed');
    return verified;
  }
}
