// Web Push in the page: the browser APIs the client (client/src/push.rs) reaches through
// `globalThis.edgechatPush`. Each returns a promise; a failure rejects with an Error whose
// message the settings show, so a browser without a push service says so.

function bytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function supported() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    throw new Error("this browser cannot receive push notifications");
  }
}

// Subscribes this browser with the server's key (replacing a subscription made with
// another key) and answers the subscription as JSON, for the server.
export async function subscribe(publicKey) {
  supported();
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  const registration = await navigator.serviceWorker.ready;
  const key = bytes(publicKey);
  let subscription = await registration.pushManager.getSubscription();
  const same = (a, b) => a && a.byteLength === b.byteLength && new Uint8Array(a).every((v, i) => v === b[i]);
  if (subscription && !same(subscription.options.applicationServerKey, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: key,
    });
  }
  return JSON.stringify(subscription.toJSON());
}

// Unsubscribes this browser; answers the endpoint it had ("" for none), for the server.
export async function unsubscribe() {
  if (!("serviceWorker" in navigator)) return "";
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = registration && (await registration.pushManager.getSubscription());
  if (!subscription) return "";
  const endpoint = subscription.endpoint;
  await subscription.unsubscribe();
  return endpoint;
}
