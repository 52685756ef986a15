import { benchColdStart } from './_cs.js';
benchColdStart(9).then((r) => {
for (const c of r) console.log(c.name, c.bundleKb, 'KB', c.initMsMedian, 'ms', c.initCpuMsMedian, 'cpu ms'); });
