/** Per-client token buckets: `perMinute` requests per minute with a burst of as many. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>()
  private readonly refillPerMs: number

  constructor(private readonly perMinute: number) {
    this.refillPerMs = perMinute / 60_000
  }

  /** Takes one token for `client`; returns 0 when allowed, else the seconds until a token is back. */
  take(client: string, nowMs = Date.now()): number {
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, updatedMs: nowMs }
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (nowMs - bucket.updatedMs) * this.refillPerMs)
    bucket.updatedMs = nowMs
    this.buckets.set(client, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)
  }

  /** Forgets clients whose buckets are full again (called now and then to bound memory). */
  prune(nowMs = Date.now()): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + (nowMs - bucket.updatedMs) * this.refillPerMs >= this.perMinute) this.buckets.delete(client)
    }
  }
}
