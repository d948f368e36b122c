using System.Diagnostics;
using System.Text.RegularExpressions;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Cli;

/// <summary>The real `flowmesh` program in its own process: exit codes, output, and kill -9 then resume.</summary>
[Trait("Category", "Integration")]
public sealed partial class CliProcessTests(ITestOutputHelper output)
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "flowmesh.dll");

    [Fact]
    public async Task Run_Sample_ExitsZeroAndPrintsResults()
    {
        using var dir = new TempDir();
        var (code, stdout, _) = await RunAsync(dir.Path, "run", Path.Combine(Corpus.RepoRoot, "samples", "hello-pipeline.yaml"));
        Assert.Equal(0, code);
        Assert.Contains("succeeded", stdout);
        Assert.Matches(@"shout\s+python\s+succeeded", stdout);
    }

    [Fact]
    public async Task Validate_BrokenFile_ExitsOneWithLineNumbers()
    {
        using var dir = new TempDir();
        var bad = dir.File("bad.yaml", "spec:\n  taskType: echo\n  data: {type: list, items: [a]}\n  dependsOn: [ghost]\n");
        var (code, _, stderr) = await RunAsync(dir.Path, "validate", bad);
        Assert.Equal(1, code);
        Assert.Contains("bad.yaml:4:15: error: spec.dependsOn: unknown dependency 'ghost'", stderr);
    }

    [Fact]
    public async Task Node_BadFlags_ExitTwoNamingTheFlag()
    {
        using var dir = new TempDir();
        var (code, _, stderr) = await RunAsync(dir.Path, "node", "--server", "http://127.0.0.1:9", "--token", "fmk_x_y", "--gpu", "zero:a100");
        Assert.Equal(2, code);
        Assert.Contains("--gpu: 'zero:a100' is not INDEX:NAME[:MEMORY]", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await RunAsync(dir.Path, "node", "--server", "http://127.0.0.1:9", "--token", "fmk_x_y", "--container-network", "overlay");
        Assert.Equal(2, code);
        Assert.Contains("DefaultNetwork must be bridge, host or none, not 'overlay'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadDurability_ExitsTwoNamingTheChoices()
    {
        using var dir = new TempDir();
        var file = dir.File("ok.yaml", "spec:\n  taskType: echo\n  data: {type: list, items: [a]}\n");
        var (code, _, stderr) = await RunAsync(dir.Path, "run", "--durability", "sometimes", file);
        Assert.Equal(2, code);
        Assert.Contains("--durability must be fsync or process, not 'sometimes'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailingTask_ExitsNonZeroWithTheTaskError()
    {
        using var dir = new TempDir();
        var file = dir.File("fail.yaml", "spec:\n  taskType: python\n  code: |\n    def main(inputs):\n        raise RuntimeError('no luck')\n");
        var (code, _, stderr) = await RunAsync(dir.Path, "run", file);
        Assert.Equal(1, code);
        Assert.Contains("RuntimeError: no luck", stderr);
    }

    [Theory]
    [InlineData("fsync")]
    [InlineData("process")]
    public async Task Run_KilledMidWorkflow_ResumeFinishesWithoutRerunningFinishedTasks(string durability)
    {
        using var dir = new TempDir();
        var marks = Path.Combine(dir.Path, "marks");
        Directory.CreateDirectory(marks);
        var file = dir.File("gated.yaml", $$"""
            metadata: {name: gated}
            spec:
              stages:
                - name: first
                  spec:
                    taskType: python
                    code: |
                      def main(inputs):
                          open("{{marks}}/first", "a").write("ran\n")
                          return "first-done"
                - name: gate
                  spec:
                    taskType: python
                    code: |
                      import os, time
                      def main(inputs):
                          open("{{marks}}/gate", "a").write("ran\n")
                          deadline = time.time() + 120
                          while not os.path.exists("{{marks}}/go") and time.time() < deadline:
                              time.sleep(0.02)
                          return "gate-done"
                - name: last
                  spec:
                    taskType: echo
                    data:
                      type: list
                      items: ["${gate.value}"]
            """);
        var data = Path.Combine(dir.Path, "data");
        using var run = Start(data, "run", "--plain", "--durability", durability, file);
        var id = await ReadUntilAsync(run, WorkflowId(), TimeSpan.FromMinutes(2));

        // Barrier: the gate task has started (it marked its file) and is blocked; kill the runner outright.
        await WaitForFileAsync(Path.Combine(marks, "gate"), TimeSpan.FromMinutes(2));
        run.Kill(entireProcessTree: false);
        await run.WaitForExitAsync();
        Assert.Equal(137, run.ExitCode);

        await File.WriteAllTextAsync(Path.Combine(marks, "go"), "go");
        var (code, stdout, stderr) = await RunAsync(data, "resume", id, "--durability", durability);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Single(File.ReadAllLines(Path.Combine(marks, "first")));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(marks, "gate")).Length);
        Assert.Matches(@"first\s+python\s+succeeded\s+1\s", stdout);
        Assert.Matches(@"gate\s+python\s+succeeded\s+2\s", stdout);
        Assert.Matches(@"last\s+echo\s+succeeded\s+1\s.*gate-done", stdout);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string dataDir, params string[] args)
    {
        using var p = Start(dataDir, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"flowmesh {string.Join(' ', args)} -> {p.ExitCode}\n{await stdout}\n{await stderr}");
        return (p.ExitCode, await stdout, await stderr);
    }

    private static Process Start(string dataDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Cli);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add("--data-dir");
        psi.ArgumentList.Add(dataDir);
        return Process.Start(psi)!;
    }

    private static async Task<string> ReadUntilAsync(Process p, Regex pattern, TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        while (await p.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (pattern.Match(line) is { Success: true } m)
            {
                _ = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return m.Groups[1].Value;
            }
        }

        throw new InvalidOperationException("flowmesh exited before printing its workflow id: " + await p.StandardError.ReadToEndAsync());
    }

    private static async Task WaitForFileAsync(string path, TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        while (!File.Exists(path))
        {
            await Task.Delay(20, cts.Token);
        }
    }

    [GeneratedRegex(@"^workflow (wf-[0-9a-z-]+)")]
    private static partial Regex WorkflowId();
}
