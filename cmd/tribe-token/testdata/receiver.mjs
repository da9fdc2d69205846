// A webhook receiver that is not written in Go, for the mock's tests: it
// checks Tribe's signature with node's own crypto module, as Bettermode's
// "Verifying webhooks" page describes (HMAC-SHA256 of
// `${timestamp}:${rawBody}`, keyed with the signing secret, hex), answers
// TEST challenges, and prints one JSON line per verified request on
// stdout: {type, name, id, postId, title}. It listens on 127.0.0.1 only
// and prints "listening PORT" first. The secret is TRIBE_WEBHOOK_SECRET.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const secret = process.env.TRIBE_WEBHOOK_SECRET;
if (!secret) {
  console.error("set TRIBE_WEBHOOK_SECRET");
  process.exit(2);
}

const server = createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on("data", (c) => {
    size += c.length;
    if (size > 1 << 20) req.destroy();
    else chunks.push(c);
  });
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    const ts = req.headers["x-bettermode-request-timestamp"] ?? "";
    const sig = req.headers["x-bettermode-signature"] ?? "";
    const want = createHmac("sha256", secret).update(`${ts}:`).update(raw).digest("hex");
    const age = Date.now() - Number(ts);
    const ok = sig.length === want.length && timingSafeEqual(Buffer.from(sig), Buffer.from(want)) && Math.abs(age) < 15 * 60 * 1000;
    if (!ok) {
      console.error("refused: bad signature or time");
      res.writeHead(403).end();
      return;
    }
    const body = JSON.parse(raw.toString("utf8"));
    const data = body.data ?? {};
    const out = { type: body.type, name: data.name ?? null, id: data.id ?? null, postId: data.object?.id ?? null, title: data.object?.title ?? null };
    console.log(JSON.stringify(out));
    const answer = { type: body.type, status: "SUCCEEDED", data: body.type === "TEST" ? { challenge: data.challenge } : {} };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  });
});
server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
