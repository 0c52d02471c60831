import type { Logger, Pool, PoolClient } from '@packytrace/service-kit';

/** Thrown inside a batch's transaction when another instance has taken over the pipeline since. */
export class LeadershipLost extends Error {
  constructor() {
    super('another instance leads this pipeline now');
  }
}

/**
 * One instance at a time applies a pipeline's events: its window state (open cells, the event-time
 * clock, the counted event ids) is one consistent whole in PostgreSQL, and one writer keeps it so.
 * The leader holds a session advisory lock on its own connection; the others wait for it (a hot
 * standby that takes over when the leader stops or dies, from the offsets and state in the database).
 * Each takeover raises the pipeline's epoch, and every batch checks it in its own transaction (FOR
 * SHARE), so a leader that lost its lock without noticing (its connection cut) can never commit again.
 */
export class PipelineLeadership {
  private client?: PoolClient;
  private lost = false;
  epoch = 0;

  constructor(
    private readonly pool: Pool,
    private readonly pipeline: string,
    private readonly logger: Logger,
    private readonly retryMs = 1_000,
  ) {}

  get isLeader(): boolean {
    return this.client !== undefined && !this.lost;
  }

  /** Waits until this instance holds the lock (or `stopped()`); returns false when stopped first. */
  async acquire(stopped: () => boolean, onLost: () => void): Promise<boolean> {
    let waiting = false;
    while (!stopped()) {
      try {
        if (await this.tryLock(onLost)) return true;
        if (!waiting) this.logger.info({ pipeline: this.pipeline }, 'another instance leads; standing by');
        waiting = true;
      } catch (error) {
        this.logger.warn({ err: error }, 'cannot reach the database to lead the pipeline; retrying');
      }
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
    return false;
  }

  private async tryLock(onLost: () => void): Promise<boolean> {
    const client = await this.pool.connect();
    const { rows } = await client
      .query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        `measurement:${this.pipeline}`,
      ])
      .catch((error: unknown) => {
        client.release(true);
        throw error;
      });
    if (!rows[0]?.locked) {
      client.release();
      return false;
    }
    client.on('error', (error: Error) => {
      this.logger.error({ err: error }, 'pipeline leadership connection lost');
      this.lost = true;
      onLost();
    });
    const { rows: epoch } = await client.query<{ epoch: number }>(
      `INSERT INTO stream_leader (pipeline, epoch) VALUES ($1, 1)
       ON CONFLICT (pipeline) DO UPDATE SET epoch = stream_leader.epoch + 1 RETURNING epoch`,
      [this.pipeline],
    );
    this.client = client;
    this.lost = false;
    this.epoch = epoch[0]!.epoch;
    this.logger.info({ pipeline: this.pipeline, epoch: this.epoch }, 'leading the measurement pipeline');
    return true;
  }

  /** In a batch's transaction: still the leader? Waits for a takeover in progress (FOR SHARE). */
  async check(client: PoolClient): Promise<void> {
    const { rows } = await client.query<{ epoch: number }>(
      'SELECT epoch FROM stream_leader WHERE pipeline = $1 FOR SHARE',
      [this.pipeline],
    );
    if (this.lost || rows[0]?.epoch !== this.epoch) throw new LeadershipLost();
  }

  /** Gives the lock up (a closed session releases it). */
  release(): void {
    const client = this.client;
    this.client = undefined;
    client?.release(true);
  }
}
