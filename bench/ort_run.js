// Times ONNX Runtime (CPU) on one model: node ort_run.js MODEL INPUT.npy
// THREADS WARMUP RUNS. Prints {"median_ms": ..., "times_ms": [...]} as JSON.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function readNpyFloat32(path) {
  const buf = fs.readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  if (!header.includes("'<f4'")) throw new Error(path + ': expected float32');
  const shape = header.match(/'shape': \(([^)]*)\)/)[1]
      .split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const start = 10 + headerLen;
  const data = new Float32Array(
      buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length));
  return new ort.Tensor('float32', data, shape);
}

async function main() {
  const [model, input, threads, warmup, runs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = {[session.inputNames[0]]: readNpyFloat32(input)};
  for (let i = 0; i < Number(warmup); ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < Number(runs); ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(JSON.stringify(
      {median_ms: sorted[Math.floor(sorted.length / 2)], times_ms: times}));
}

main().catch((e) => { console.error(e.message); process.exit(1); });
