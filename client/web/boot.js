// Starts the client. A file rather than an inline script, so the Content-Security-Policy
// (client/web/_headers) allows scripts from this origin only.
import init from "/edgechat_client.js";
import * as push from "/push.js";

globalThis.edgechatPush = push;
init({ module_or_path: "/edgechat_client_bg.wasm" }).catch(() => {
  // The shell stays up (index.html): it says what went wrong instead of loading forever.
  const status = document.getElementById("boot-status");
  status.className = "boot-status failed";
  status.textContent = "edgechat could not load. Check the connection and reload the page.";
});
