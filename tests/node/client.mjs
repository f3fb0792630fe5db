// The npm graphql-ws client (graphql-transport-ws protocol) against the gateway, for
// tests/gateway/test_realtime_node.py. Prints one JSON object per line on stdout:
//   {"event":"connected"} once the connection is acknowledged,
//   {"event":"next","value":{...}} for each result,
//   {"event":"closed","code":4403,"reason":"..."} / {"event":"error",...} when it ends badly.
// Usage: node client.mjs <ws url> <token> <results to wait for>
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, wanted] = process.argv.slice(2);
const say = (event) => process.stdout.write(JSON.stringify(event) + "\n");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  lazy: false,
  retryAttempts: 0,
  on: {
    connected: () => say({ event: "connected" }),
    closed: (event) => say({ event: "closed", code: event?.code, reason: event?.reason }),
  },
});

let received = 0;
client.subscribe(
  { query: "subscription { ticketChanged { seq op ticketId removed ticket { id priority } } }" },
  {
    next: (value) => {
      say({ event: "next", value });
      received += 1;
      if (received >= Number(wanted)) {
        client.dispose();
        process.exit(0);
      }
    },
    error: (error) => {
      say({ event: "error", code: error?.code, reason: String(error?.reason ?? error?.message ?? error) });
      process.exit(2);
    },
    complete: () => say({ event: "complete" }),
  },
);

setTimeout(() => {
  say({ event: "timeout" });
  process.exit(3);
}, 30000);
