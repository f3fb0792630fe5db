// PostGraphile v4 in library mode: the peer the gateway is measured against (bench/peer.py).
//
// Same database, same rights: each request's Supabase JWT (HS256, SUPABASE_JWT_SECRET) is
// verified here and PostGraphile's pgSettings put it in the transaction the way PostgREST and
// the gateway do: role = authenticated, request.jwt.claims = the claims, so the same RLS
// policies decide every row. Usage: DATABASE_URL=... SUPABASE_JWT_SECRET=... PORT=... node server.js
"use strict";

const crypto = require("crypto");
const http = require("http");
const { Pool } = require("pg");
const { postgraphile } = require("postgraphile");

const secret = process.env.SUPABASE_JWT_SECRET;
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_MAX || 8),
});

function b64url(buf) {
  return buf.toString("base64").replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

function verify(header) {
  const token = (header || "").replace(/^Bearer\s+/i, "");
  const [head, body, sig] = token.split(".");
  if (!sig) throw new Error("no token");
  const expected = b64url(crypto.createHmac("sha256", secret).update(`${head}.${body}`).digest());
  if (!crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) {
    throw new Error("invalid signature");
  }
  const claims = JSON.parse(Buffer.from(body, "base64").toString("utf8"));
  if (claims.exp && claims.exp < Date.now() / 1000) throw new Error("token expired");
  return claims;
}

const middleware = postgraphile(pool, "public", {
  dynamicJson: true,
  disableQueryLog: true,
  ignoreRBAC: false,
  retryOnInitFail: false,
  pgSettings: async (req) => {
    const claims = verify(req.headers.authorization);
    return {
      role: "authenticated",
      "request.jwt.claims": JSON.stringify(claims),
      statement_timeout: "15000",
    };
  },
});

http.createServer(middleware).listen(Number(process.env.PORT), "127.0.0.1", () => {
  process.stdout.write("ready\n");
});
