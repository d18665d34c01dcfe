#!/usr/bin/env node
// The peer of `journy import --kind users` in benchmarks/import-vs-node-sdk.sh: the official Node
// SDK (@journyio/sdk 3.1.0 from the npm registry, installed into benchmarks/node_modules) upserting
// every row of a CSV file with a fixed number of requests in flight.
//
//   node benchmarks/node-sdk-upsert.js FILE ROOT_URL [IN_FLIGHT=6]
//
// FILE: a header line "userId,email,PROP..." and one user per line, no quoting (the benchmark
// generates it). The key comes from JOURNY_API_KEY. Prints one JSON object: rows, ok, failed,
// seconds (reading the file and sending everything) and sendSeconds (sending only).
"use strict";

const fs = require("fs");
const { Client } = require("@journyio/sdk");
const { HttpClientNode } = require("@journyio/http");

async function main() {
    const [file, rootUrl, inFlightText = "6"] = process.argv.slice(2);
    const inFlight = Number.parseInt(inFlightText, 10);
    if (!file || !rootUrl || !(inFlight > 0)) {
        console.error("usage: node-sdk-upsert.js FILE ROOT_URL [IN_FLIGHT=6]");
        process.exit(1);
    }
    const apiKey = process.env.JOURNY_API_KEY;
    if (!apiKey) {
        console.error("node-sdk-upsert: JOURNY_API_KEY is not set");
        process.exit(1);
    }

    const started = process.hrtime.bigint();
    // Client.withDefaults(key) always talks to api.journy.io; the constructor takes the root URL.
    // Same 5 s timeout as withDefaults; Node 20's global HTTP agent keeps connections alive.
    const client = new Client(new HttpClientNode(5000), { apiKey, rootUrl });
    const lines = fs.readFileSync(file, "utf8").split("\n").filter((line) => line.length > 0);
    const headers = lines[0].split(",");
    const userIdAt = headers.indexOf("userId");
    const emailAt = headers.indexOf("email");
    const rows = lines.slice(1);

    const sendStarted = process.hrtime.bigint();
    let next = 0;
    let ok = 0;
    const failures = [];
    // IN_FLIGHT workers, each sending its next row as soon as its previous one is answered.
    async function worker() {
        while (next < rows.length) {
            const cells = rows[next++].split(",");
            const properties = {};
            headers.forEach((name, i) => {
                if (i !== userIdAt && i !== emailAt) properties[name] = cells[i];
            });
            const result = await client.upsertUser({
                userId: userIdAt >= 0 ? cells[userIdAt] : undefined,
                email: emailAt >= 0 ? cells[emailAt] : undefined,
                properties,
            });
            if (result.success) ok++;
            else failures.push(result.error);
        }
    }
    await Promise.all(Array.from({ length: inFlight }, worker));
    const finished = process.hrtime.bigint();

    const seconds = (ns) => Number(ns) / 1e9;
    console.log(
        JSON.stringify({
            rows: rows.length,
            ok,
            failed: failures.length,
            firstError: failures[0],
            seconds: seconds(finished - started),
            sendSeconds: seconds(finished - sendStarted),
        }),
    );
    process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((error) => {
    console.error(`node-sdk-upsert: ${error.stack || error}`);
    process.exit(1);
});
