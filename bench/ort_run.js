// Times ONNX Runtime (CPU) on one model:
//   node ort_run.js MODEL THREADS WARMUP RUNS INPUT.npy...
// Inputs are .npy files (float32, int64, int32 or bool), fed to the model's
// inputs in order. Prints {"median_ms": ..., "times_ms": [...]} as JSON.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

const kTypes = {
  "'<f4'": ['float32', Float32Array],
  "'<i8'": ['int64', BigInt64Array],
  "'<i4'": ['int32', Int32Array],
  "'|b1'": ['bool', Uint8Array],
};

function readNpy(path) {
  const buf = fs.readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  const descr = Object.keys(kTypes).find((d) => header.includes(d));
  if (!descr) throw new Error(path + ': unsupported dtype in ' + header);
  const [type, ArrayType] = kTypes[descr];
  const shape = header.match(/'shape': \(([^)]*)\)/)[1]
      .split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const start = 10 + headerLen;
  // Copy: the data must be aligned for its element type.
  const bytes = Uint8Array.prototype.slice.call(buf, start);
  return new ort.Tensor(type, new ArrayType(bytes.buffer), shape);
}

async function main() {
  const [model, threads, warmup, runs, ...inputs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  if (inputs.length !== session.inputNames.length)
    throw new Error(`${model} takes ${session.inputNames.length} inputs, ` +
                    `${inputs.length} given`);
  const feeds = {};
  session.inputNames.forEach((name, i) => { feeds[name] = readNpy(inputs[i]); });
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
