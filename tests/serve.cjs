// Serves a Worker as `wrangler dev` does (the same config, local D1, R2 and Durable
// Objects, the same proxy), but with no inspector attached. `wrangler dev` always attaches
// one, and it turns on the runtime's Network domain: every subrequest (a call between
// objects, a D1 batch) then becomes inspector events that wrangler's inspector proxy
// relays to Node one HTTP request each. Those connections linger, and a run of thousands
// of calls between objects runs the process out of open files (docs/performance.md,
// "Rooms bigger than one object"). Production has no inspector, so the load benchmark
// serves this way; runs that profile keep `wrangler dev`.
//
// With WORKERD_INSPECTOR=IP:PORT set, workerd opens its own inspector there, with nothing
// attached until a profiler connects (tests/workerd-inspected.sh): a profile of the
// runtime itself, with no proxy relaying its events.
//
// node tests/serve.cjs CONFIG SCRIPT|- IP PORT PERSIST_DIR [NAME:VALUE ...]
"use strict";

const path = require("node:path");
const wrangler = path.join(__dirname, "..", "node_modules", "wrangler");
const { unstable_startWorker } = require(wrangler);

if (process.env.WORKERD_INSPECTOR) {
  // Miniflare runs MINIFLARE_WORKERD_PATH in place of its own workerd.
  const miniflare = require.resolve("miniflare", { paths: [require.resolve(wrangler)] });
  const workerd = require.resolve("workerd", { paths: [miniflare] });
  process.env.WORKERD_BINARY = require(workerd).default;
  process.env.MINIFLARE_WORKERD_PATH = path.join(__dirname, "workerd-inspected.sh");
}

async function main() {
  const [config, script, ip, port, persist, ...vars] = process.argv.slice(2);
  process.env.WORKERD_PUBLIC = `${ip}:${port}`;
  const bindings = {};
  for (const pair of vars) {
    const [name, ...value] = pair.split(":");
    bindings[name] = { type: "plain_text", value: value.join(":"), hidden: true };
  }
  const worker = await unstable_startWorker({
    config,
    entrypoint: script === "-" ? undefined : script,
    bindings,
    dev: {
      server: { hostname: ip, port: Number(port) },
      inspector: false,
      persist,
      watch: false,
      liveReload: false,
      logLevel: "warn",
    },
  });
  await worker.ready;
  const stop = () => worker.dispose().finally(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
