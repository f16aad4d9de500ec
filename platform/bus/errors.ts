/** Why Junction cannot use NATS, with what to do about it. */
export const NATS_INSTALL_HINT =
  'start one with `docker compose up -d nats`, or install the system package (Debian/Ubuntu: `apt-get install nats-server`), or set NATS_URL';

export const JETSTREAM_HINT =
  'enable JetStream (`nats-server -js`, or `jetstream { store_dir: /var/lib/nats-server }` in /etc/nats-server.conf), or set NATS_URL to a server that has it';

export class NatsUnavailableError extends Error {
  override name = 'NatsUnavailableError';
}
