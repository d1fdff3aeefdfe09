import express from 'express';
import serverless from 'serverless-http';

// The smallest useful serverless-http function: the cold-start baseline.
const app = express();
app.get('/', (_req, res) => {
  res.json({ hello: 'world' });
});

export const handler = serverless(app);
