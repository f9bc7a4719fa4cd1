// The command behind `npm run replay-dead-letters`, with its streams and environment passed in so the
// tests drive it in-process: flags → store + pipeline → replay with progress in percent → summary, exit code.
import { errorMessage } from '../../shared/common';
import { replayProgress } from './progress';
import { replayDeadLetters } from './replay';
import { HELP, parseReplayArgs, type ReplayCliOptions } from './replayArgs';
import { exitCodeOf, renderReport } from './report';
import { pipelineFor, storeFor, UsageError } from './setup';

export interface ReplayIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runReplayCli(argv: string[], io: ReplayIo): Promise<number> {
  let cli: ReplayCliOptions;
  try {
    cli = parseReplayArgs(argv);
  } catch (error) {
    io.stderr.write(`${errorMessage(error)}\n\n${HELP}\n`);
    return 2;
  }
  if (cli.help || !cli.source) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  let pipeline;
  let store;
  try {
    store = storeFor(cli.source, io.env, io.cwd);
    pipeline = pipelineFor(cli, io.env, io.cwd);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${HELP}\n`);
      return 2;
    }
    io.stderr.write(`replay-dead-letters: ${errorMessage(error)}\n`);
    return 1;
  }
  const verb = cli.dryRun ? 'Planning' : 'Replaying';
  const bar = cli.quiet || cli.json ? undefined : replayProgress(io.stderr, verb);
  try {
    const report = await replayDeadLetters({
      store,
      worker: pipeline.worker,
      reasons: cli.reasons,
      dryRun: cli.dryRun,
      batchSize: cli.batchSize,
      onStart: (total) => bar?.start(total),
      onProgress: (examined, t) =>
        bar?.update(
          examined,
          cli.dryRun
            ? `would apply ${t.wouldApply}, filter ${t.wouldFilter}, dead-letter ${t.wouldDeadLetter}`
            : `applied ${t.applied}, filtered ${t.filtered}, again ${t.deadLettered}, failed ${t.failed}`,
        ),
    });
    bar?.stop();
    io.stdout.write(
      cli.json
        ? `${JSON.stringify({ ...report, adtUrl: pipeline.adtUrl, configuration: pipeline.configDescription }, null, 2)}\n`
        : renderReport(report, pipeline),
    );
    return exitCodeOf(report);
  } catch (error) {
    bar?.stop();
    io.stderr.write(`replay-dead-letters: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    pipeline.close();
  }
}
