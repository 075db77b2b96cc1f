#!/bin/sh
# workerd as Miniflare starts it, plus its own inspector on $WORKERD_INSPECTOR (IP:PORT)
# with nothing attached: tests/serve.cjs runs this in place of workerd when asked to.
# Two workerds start: wrangler's proxy, listening on the public $WORKERD_PUBLIC, and the
# Worker's own behind it; only the Worker's gets the inspector.
case " $* " in
*" --socket-addr=entry=$WORKERD_PUBLIC "*) exec "$WORKERD_BINARY" "$@" ;;
*) exec "$WORKERD_BINARY" "$@" "--inspector-addr=$WORKERD_INSPECTOR" ;;
esac
