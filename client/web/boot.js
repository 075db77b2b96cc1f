// Starts the client. A file rather than an inline script, so the Content-Security-Policy
// (client/web/_headers) allows scripts from this origin only.
import init from "/edgechat_client.js";
import * as push from "/push.js";

globalThis.edgechatPush = push;
init({ module_or_path: "/edgechat_client_bg.wasm" });
