import { Pool } from 'undici';
import { percentile } from './stats';

// The load side of `npm run bench`, run as its own process so that its CPU shows up apart
// from the services'. Closed loop: `concurrency` connections, each sending the next request
// as soon as the previous one answered, for a warm-up and then the measured duration. Every
// latency is kept, so the percentiles are exact.
//
//   node bench-driver.js '{"url":"http://127.0.0.1:8000/orders","body":"{...}","concurrency":32,"warmupSec":5,"durationSec":20}'

interface DriverOptions {
  url: string;
  body: string;
  concurrency: number;
  warmupSec: number;
  durationSec: number;
}

export interface DriverResult {
  requests: number;
  requestsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Requests answered during warm-up and measurement, and the load process's own CPU over both. */
  allRequests: number;
  driverCpuMs: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1000);
}

async function run(options: DriverOptions): Promise<DriverResult> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: options.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let measuring = false;
  let stopped = false;
  let allRequests = 0;
  const cpuAtStart = process.cpuUsage();

  const worker = async () => {
    while (!stopped) {
      const start = performance.now();
      try {
        const response = await pool.request({
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: options.body,
        });
        await response.body.dump();
        allRequests++;
        if (!measuring) continue;
        latencies.push(performance.now() - start);
        if (response.statusCode < 200 || response.statusCode >= 300) non2xx++;
      } catch {
        if (measuring) errors++;
      }
    }
  };

  const workers = Array.from({ length: options.concurrency }, worker);
  await new Promise((resolve) => setTimeout(resolve, options.warmupSec * 1000));
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, options.durationSec * 1000));
  measuring = false;
  const elapsedSec = (performance.now() - started) / 1000;
  stopped = true;
  await Promise.all(workers);
  await pool.close();

  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    requests: latencies.length,
    requestsPerSec: Math.round(latencies.length / elapsedSec),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    errors,
    non2xx,
    allRequests,
    driverCpuMs: cpuMsSince(cpuAtStart),
  };
}

if (require.main === module) {
  run(JSON.parse(process.argv[2] ?? '{}') as DriverOptions).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error((error as Error).message);
      process.exit(1);
    },
  );
}
