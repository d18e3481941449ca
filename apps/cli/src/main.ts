/** Entry point of the `vmlab` command (replaced by the real command in the scenarios issue). */
process.stderr.write('vmlab: no commands yet\n');
process.exitCode = 2;
