#!/usr/bin/env node
/**
 * `udtl <command> [args]`: one entry point. Each command lives in ./commands/<name>.ts and exports
 * `run(args: string[]): Promise<number>` (the exit code) and a one-line `summary`.
 */
const commands: Record<string, () => Promise<{ summary: string; run(args: string[]): Promise<number> }>> = {
  run: () => import('./commands/run.js'),
  report: () => import('./commands/report.js'),
  methods: () => import('./commands/methods.js'),
  datasets: () => import('./commands/datasets.js'),
  fetch: () => import('./commands/fetch.js'),
  backbones: () => import('./commands/backbones.js'),
  backends: () => import('./commands/backends.js'),
  status: () => import('./commands/status.js'),
  task: () => import('./commands/task.js'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    console.log('usage: udtl <command> [args]\n\ncommands:');
    for (const [id, load] of Object.entries(commands)) console.log(`  ${id.padEnd(10)} ${(await load()).summary}`);
    return name ? 0 : 1;
  }
  const load = commands[name];
  if (!load) {
    console.error(`udtl: unknown command '${name}'; known: ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  const command = await load();
  if (rest[0] === '--help' || rest[0] === '-h' || rest[0] === 'help') {
    console.log(`udtl ${name}: ${command.summary}`);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(`udtl: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.UDTL_DEBUG && err instanceof Error) console.error(err.stack);
    process.exitCode = 1;
  },
);
