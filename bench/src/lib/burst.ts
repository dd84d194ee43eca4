// Many requests fired at once over keep-alive connections (one per request), each timed from
// send to the end of its response body: the checkout scenarios' "200 buyers press Buy together".
import { Agent, request as httpRequest } from 'node:http';

export interface BurstRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface BurstResponse {
  status: number;
  body: string;
  /** Milliseconds from send to the last byte of the response. */
  latency: number;
}

export interface BurstResult {
  responses: BurstResponse[];
  /** Milliseconds from the first send to the last response. */
  wall: number;
}

export function createBurstAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000 });
}

function post(agent: Agent, origin: URL, spec: BurstRequest): Promise<BurstResponse> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = httpRequest(
      {
        agent,
        host: origin.hostname,
        port: origin.port,
        method: 'POST',
        path: spec.path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(spec.body), ...spec.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            latency: Number(process.hrtime.bigint() - started) / 1e6,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(spec.body);
  });
}

export async function burst(agent: Agent, originUrl: string, requests: BurstRequest[]): Promise<BurstResult> {
  const origin = new URL(originUrl);
  const started = process.hrtime.bigint();
  const responses = await Promise.all(requests.map((spec) => post(agent, origin, spec)));
  return { responses, wall: Number(process.hrtime.bigint() - started) / 1e6 };
}
