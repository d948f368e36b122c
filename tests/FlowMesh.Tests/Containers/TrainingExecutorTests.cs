using System.Text.Json.Nodes;
using FlowMesh.Engine.Containers;
using FlowMesh.Abstractions;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Containers;

/// <summary>Two-stage fine-tuning as container jobs: the second stage resumes from the first stage's checkpoint archive.</summary>
[Trait("Category", "Integration")]
public sealed class TrainingExecutorTests(ITestOutputHelper output)
{
    /// <summary>A stand-in trainer: records its config, resumes from a checkpoint when given one, writes a "model" and metrics.</summary>
    internal const string Trainer = """
        set -e
        grep -q '"learning_rate": 5e-05' "$FLOWMESH_CONFIG" || grep -q '"learning_rate": 5E-05' "$FLOWMESH_CONFIG"
        mkdir -p "$FLOWMESH_OUTPUT/final_model"
        if [ -f "$FLOWMESH_CHECKPOINT/weights.txt" ]; then
          echo "resumed from: $(cat "$FLOWMESH_CHECKPOINT/weights.txt")"
          echo "$(cat "$FLOWMESH_CHECKPOINT/weights.txt")+$FLOWMESH_TASK" > "$FLOWMESH_OUTPUT/final_model/weights.txt"
        else
          echo "$FLOWMESH_TASK" > "$FLOWMESH_OUTPUT/final_model/weights.txt"
        fi
        head -c 6000000 /dev/urandom > "$FLOWMESH_OUTPUT/final_model/weights.bin"
        echo '{"train_loss": 0.5}' > "$FLOWMESH_OUTPUT/metrics.json"
        """;

    [Fact]
    public async Task Run_TwoStageSft_SecondStageResumesFromTheFirstStagesArchive()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        using var docker = new DockerClient(ContainerRuntime.Socket!);
        var containers = new ContainerOptions { NodeLabel = "train-test", DefaultNetwork = "none" };
        containers.TrainingImages["sft"] = ContainerRuntime.Image;
        containers.TrainingEntrypoints["sft"] = ["sh", "-c", Trainer];
        await using var harness = await EngineHarness.StartAsync([new TrainingExecutor("sft", docker, containers)]);

        var (state, tasks) = await harness.RunAsync("""
            apiVersion: flowmesh/v1
            kind: SFTTask
            metadata: {name: sft-two-stage}
            spec:
              taskType: sft
              model:
                source: {type: huggingface, identifier: test/tiny-base}
              stages:
                - name: stage-one
                  spec:
                    data: {dataset_name: local/rows, prompt_column: q, response_column: a}
                    training: {num_train_epochs: 1, learning_rate: 5.0e-5, save_model: true}
                - name: stage-two
                  spec:
                    checkpoint:
                      load: {type: http, url: "${stage-one.final_model_archive}"}
                    data: {dataset_name: local/rows, prompt_column: q, response_column: a}
                    training: {num_train_epochs: 1, learning_rate: 5.0e-5}
            """);

        Assert.True(state == WorkflowState.Succeeded, string.Join("; ", tasks.Select(t => $"{t.Name}: {t.Error}")));
        var first = JsonNode.Parse(tasks[0].Result!)!;
        var second = JsonNode.Parse(tasks[1].Result!)!;
        Assert.StartsWith("flowmesh://", first["final_model_archive"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0.5, second["metrics"]!["train_loss"]!.GetValue<double>());
        var logs = await File.ReadAllTextAsync(Path.Combine(harness.DataDir, "results", tasks[1].WorkflowId, "stage-two", "logs.txt"));
        Assert.Contains("resumed from: stage-one", logs, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(harness.DataDir, "results", tasks[1].WorkflowId, "stage-two", "artifacts", "final_model.tar.gz")));
    }

    [Fact]
    public async Task Run_NoTrainerImageConfigured_FailsNamingTheFlag()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        using var docker = new DockerClient(ContainerRuntime.Socket!);
        await using var harness = await EngineHarness.StartAsync([new TrainingExecutor("dpo", docker, new ContainerOptions())]);

        var (state, tasks) = await harness.RunAsync("""
            apiVersion: flowmesh/v1
            kind: DPOTask
            metadata: {name: dpo-no-image}
            spec:
              taskType: dpo
              model:
                source: {type: huggingface, identifier: test/tiny-base}
              data: {dataset_name: local/prefs}
            """);

        Assert.Equal(WorkflowState.Failed, state);
        Assert.Equal("no trainer image is configured for dpo on this node (flowmesh node --train-image dpo=IMAGE)", tasks[0].Error);
    }
}
