// Starts the client. A file rather than an inline script, so the Content-Security-Policy
// (client/web/_headers) allows scripts from this origin only.
import init from "/edgechat_client.js";
init({ module_or_path: "/edgechat_client_bg.wasm" });
