/** Entry point of `npm run bench`. */
import { main } from './runner.js';

process.exitCode = await main(process.argv.slice(2), process.cwd());
