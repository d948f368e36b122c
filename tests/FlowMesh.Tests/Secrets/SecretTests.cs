using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using FlowMesh.Client;
using FlowMesh.Client.Models;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Secrets;

/// <summary>
/// Tenant secrets on a real server and python executor: the task sees the value in its environment, and the value
/// shows up nowhere else: not in results, errors, logs, events, API answers, the server's log or the store's files.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SecretTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly string _value = $"pw-{Guid.NewGuid():N}";
    private ServerProcess _server = null!;
    private FlowMeshClient _admin = null!;

    public async Task InitializeAsync()
    {
        var keys = $"new={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))},old={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";
        _server = await ServerProcess.StartAsync(Path.Combine(_dir.Path, "data"), new Dictionary<string, string> { ["FLOWMESH_SECRET_KEYS"] = keys }, "--unplaceable-timeout", "0");
        _admin = _server.Client(_server.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Run_TaskUsingASecret_SeesItButItNeverAppearsInAnyLogOrResponse()
    {
        var set = await _admin.SetSecretAsync("db-password", _value);
        Assert.Equal("new", set.KeyId);
        var id = (await _admin.SubmitAsync("""
            apiVersion: flowmesh/v1
            kind: Workflow
            metadata: {name: secret-use}
            spec:
              secrets: {DB_PASSWORD: db-password}
              graph:
                nodes:
                  - name: use
                    spec:
                      taskType: python
                      code: |
                        import hashlib, os, sys
                        def main(inputs):
                            pw = os.environ["DB_PASSWORD"]
                            print("connecting with", pw)
                            print("stderr too:", pw, file=sys.stderr)
                            return {"echo": pw, "sha": hashlib.sha256(pw.encode()).hexdigest()}
                  - name: boom
                    spec:
                      taskType: python
                      code: |
                        import os
                        def main(inputs):
                            raise RuntimeError("login failed for " + os.environ["DB_PASSWORD"])
            """)).WorkflowId;
        var end = await _admin.WaitForEndAsync(id);
        Assert.Equal("Failed", end.Workflow.State);

        // The task had the real value: it hashed it.
        var result = (await _admin.GetResultAsync(id, "use")).GetRawText();
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_value))), result, StringComparison.Ordinal);
        Assert.Contains("[redacted]", result, StringComparison.Ordinal);
        Assert.DoesNotContain(_value, result, StringComparison.Ordinal);

        var boom = await _admin.GetTaskAsync(id, "boom");
        Assert.Contains("login failed for [redacted]", boom.Error, StringComparison.Ordinal);

        using var http = _server.Http(_server.AdminToken);
        var everything = new StringBuilder();
        foreach (var path in new[]
        {
            $"api/v1/workflows/{id}", $"api/v1/workflows/{id}/tasks", $"api/v1/workflows/{id}/events?limit=1000", $"api/v1/workflows/{id}/tasks/use/logs",
            $"api/v1/workflows/{id}/tasks/boom/logs", $"api/v1/workflows/{id}/tasks/use/results", $"api/v1/workflows/{id}/tasks/use/spec", "api/v1/secrets",
        })
        {
            var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
            everything.Append(await response.Content.ReadAsStringAsync());
        }

        Assert.Contains("connecting with [redacted]", everything.ToString(), StringComparison.Ordinal);
        Assert.Contains("stderr too: [redacted]", everything.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_value, everything.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_value, _server.Log, StringComparison.Ordinal);

        // At rest: only ciphertext in the store's files.
        foreach (var file in Directory.EnumerateFiles(_server.DataDir, "flowmesh.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            Assert.DoesNotContain(_value, await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Secrets_BadNameMissingSecretAndViewerWrite_AreRefusedClearly()
    {
        using var http = _server.Http(_server.AdminToken);
        var bad = await http.PutAsJsonAsync(new Uri("api/v1/secrets/no%20spaces", UriKind.Relative), new { value = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var viewer = await _admin.CreateTokenAsync(new CreateTokenRequest("secret-viewer", "viewer"));
        using var asViewer = _server.Client(viewer.Token);
        var denied = await Assert.ThrowsAnyAsync<FlowMeshException>(() => asViewer.SetSecretAsync("x", "y"));
        Assert.Equal(403, denied.Status);

        var id = (await _admin.SubmitAsync("""
            apiVersion: flowmesh/v1
            kind: Workflow
            metadata: {name: secret-missing}
            spec:
              graph:
                nodes:
                  - name: use
                    spec: {taskType: python, secrets: {TOKEN: never-set}, code: "def main(inputs):\n    return 1\n"}
            """)).WorkflowId;
        Assert.Equal("Failed", (await _admin.WaitForEndAsync(id)).Workflow.State);
        Assert.Contains("secret 'never-set' (for TOKEN) is not set for tenant default", (await _admin.GetTaskAsync(id, "use")).Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<FlowMeshNotFoundException>(() => _admin.DeleteSecretAsync("never-set"));
    }
}
