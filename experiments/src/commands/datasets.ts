export const summary = 'list the registered datasets, or inspect one (datasets list | datasets inspect <id>)';
export async function run(_args: string[]): Promise<number> {
  console.error('datasets: not implemented yet');
  return 1;
}
