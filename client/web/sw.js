// The service worker: shows a Web Push (a mention or a direct message that came while no
// edgechat tab was open) as a notification, and opens its room when it is clicked. The
// server encrypts each push for this browser alone; the browser has decrypted it by now.
// Its text is shown as notification text, never as markup.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (_) {
    // Not ours to read: still show something, as browsers require of a push.
  }
  const from = message.from || "Someone";
  const title = message.kind === "mention" ? `${from} mentioned you` : `${from} sent you a message`;
  event.waitUntil(
    self.registration.showNotification(title, {
      body: message.excerpt || "",
      // One notification per room: a newer push replaces the one before.
      tag: message.roomId || "edgechat",
      renotify: true,
      data: { roomId: message.roomId || "" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const roomId = (event.notification.data && event.notification.data.roomId) || "";
  const url = roomId ? `/r/${encodeURIComponent(roomId)}` : "/";
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).origin === self.location.origin) {
          try {
            await client.focus();
            // Rejects for a tab this worker does not control (one loaded with a hard
            // reload): then a new one opens instead.
            return await client.navigate(url);
          } catch (_) {
            break;
          }
        }
      }
      return self.clients.openWindow(url);
    })(),
  );
});
