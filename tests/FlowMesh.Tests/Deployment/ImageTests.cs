using System.Security.Cryptography;
using System.Text.Json.Nodes;
using FlowMesh.Client;
using FlowMesh.Engine.Containers;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Deployment;

/// <summary>
/// The images docker/Dockerfile builds (.ci/build-images.sh builds them here and names them in FLOWMESH_TEST_IMAGES):
/// the server image serves /healthz and, with a node image joined to it, completes a workflow; both run as a non-root
/// user and carry their OCI labels. Under CI=true missing images are a failure.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ImageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ServerAndNodeImages_RunAsNonRoot_ServeHealthAndCompleteAWorkflow()
    {
        if (Images() is not { } images || !ContainerRuntime.Available(output))
        {
            return;
        }

        using var docker = new DockerClient(ContainerRuntime.Socket!);
        foreach (var image in new[] { images.Server, images.Node })
        {
            var config = (await docker.InspectImageAsync(image, CancellationToken.None))!["Config"]!;
            Assert.Equal("10001:10001", config["User"]!.GetValue<string>());
            var labels = config["Labels"]!.AsObject();
            Assert.False(string.IsNullOrEmpty(labels["org.opencontainers.image.revision"]?.GetValue<string>()));
            Assert.False(string.IsNullOrEmpty(labels["org.opencontainers.image.version"]?.GetValue<string>()));
            Assert.False(string.IsNullOrEmpty(labels["org.opencontainers.image.source"]?.GetValue<string>()));
        }

        var admin = Token();
        var nodeToken = Token();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var ids = new List<string>();
        try
        {
            var serverLines = new LineWatch();
            ids.Add(await RunAsync(docker, $"fm-server-{suffix}", images.Server, ["server", "--urls", "http://127.0.0.1:0"],
                [$"FLOWMESH_ADMIN_TOKEN={admin}", $"FLOWMESH_NODE_TOKEN={nodeToken}"], serverLines));
            var listening = await serverLines.WaitAsync("flowmesh: listening on ", Limit);
            var url = new Uri(listening[(listening.IndexOf("http", StringComparison.Ordinal))..].Trim());

            using (var http = new HttpClient { BaseAddress = url })
            {
                Assert.Equal("ok", await http.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
            }

            var nodeLines = new LineWatch();
            ids.Add(await RunAsync(docker, $"fm-node-{suffix}", images.Node, ["node", "--server", url.ToString(), "--token", nodeToken, "--name", $"image-node-{suffix}", "--slots", "2"],
                [], nodeLines));
            await nodeLines.WaitAsync($"registered as image-node-{suffix}", Limit);

            using var client = new FlowMeshClient(new FlowMeshClientOptions { BaseAddress = url, Token = admin });
            var submitted = await client.SubmitAsync(Server.Workflows.Echo("from-images", "hello", "images"));
            var done = await client.WaitForEndAsync(submitted.WorkflowId);
            Assert.Equal("Succeeded", done.Workflow.State);
            Assert.Equal($"image-node-{suffix}", done.Tasks[0].Node);
        }
        finally
        {
            foreach (var id in ids)
            {
                await docker.RemoveAsync(id, CancellationToken.None);
            }
        }
    }

    /// <summary>The image names .ci/build-images.sh exported, or null (skipped; a failure under CI=true).</summary>
    private (string Server, string Node)? Images()
    {
        var names = Environment.GetEnvironmentVariable("FLOWMESH_TEST_IMAGES")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names is [var server, var node])
        {
            return (server, node);
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("FLOWMESH_TEST_IMAGES (server,node) is not set: .ci/run builds the images with .ci/build-images.sh");
        }

        output.WriteLine("no images (FLOWMESH_TEST_IMAGES): skipped");
        return null;
    }

    private static string Token() =>
        $"fmk_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";

    private static async Task<string> RunAsync(DockerClient docker, string name, string image, string[] cmd, string[] env, LineWatch lines)
    {
        var body = new JsonObject
        {
            ["Image"] = image,
            ["Cmd"] = new JsonArray([.. cmd.Select(c => JsonValue.Create(c))]),
            ["Env"] = new JsonArray([.. env.Select(e => JsonValue.Create(e))]),
            ["HostConfig"] = new JsonObject { ["NetworkMode"] = "host" },
        };
        var id = await docker.CreateAsync(name, body, CancellationToken.None);
        await docker.StartAsync(id, CancellationToken.None);
        _ = docker.FollowLogsAsync(id, tty: false, (_, line) => lines.Add(line), CancellationToken.None);
        return id;
    }
}
