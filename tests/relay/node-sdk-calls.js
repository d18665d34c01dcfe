#!/usr/bin/env node
// A customer's integration on the official Node SDK (@journyio/sdk 3.1.0 from the npm registry),
// pointed at a relay: the calls a backend typically makes, with typed values in the code. The SDK
// sends every property and metadata value as a string and events to the deprecated POST /events,
// which is what the relay's lint must show.
//
//   node tests/relay/node-sdk-calls.js ROOT_URL        (key from JOURNY_API_KEY)
//
// Prints one JSON object: the result of each call ({"upsertUser": true, ...}).
"use strict";

const { Client, Event, UserIdentified } = require("@journyio/sdk");
const { HttpClientNode } = require("@journyio/http");

async function main() {
    const [rootUrl] = process.argv.slice(2);
    const apiKey = process.env.JOURNY_API_KEY;
    if (!rootUrl || !apiKey) {
        console.error("usage: JOURNY_API_KEY=... node-sdk-calls.js ROOT_URL");
        process.exit(1);
    }
    const client = new Client(new HttpClientNode(5000), { apiKey, rootUrl });
    const results = {};
    const upsert = await client.upsertUser({
        userId: "sdk-user-1",
        email: "sdk-user-1@example.com",
        properties: { plan: "Pro", mrr: 399, is_paying: true },
    });
    results.upsertUser = upsert.success;
    const event = Event.forUser("Invoice paid", UserIdentified.byUserId("sdk-user-1")).withMetadata({ amount: 120 });
    const tracked = await client.addEvent(event);
    results.addEvent = tracked.success;
    console.log(JSON.stringify(results));
}

main().catch((error) => {
    console.error(error && error.stack ? error.stack : String(error));
    process.exit(1);
});
