using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlowMesh.Tests.Support;

/// <summary>
/// Images the tests make from <see cref="ContainerRuntime.Image"/> through the engine's own API (create a container,
/// commit it with a new entrypoint): nothing is pulled, and it works the same against Docker and Podman.
/// </summary>
internal static class TestImages
{
    public static async Task<string> WithEntrypointAsync(string name, IReadOnlyList<string> entrypoint)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(ContainerRuntime.Socket!), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        }) { BaseAddress = new Uri("http://docker/v1.41/") };
        var created = await http.PostAsJsonAsync("containers/create", new { Image = ContainerRuntime.Image, Cmd = new[] { "true" } });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["Id"]!.GetValue<string>();
        try
        {
            var change = Uri.EscapeDataString($"ENTRYPOINT {JsonSerializer.Serialize(entrypoint)}");
            var committed = await http.PostAsJsonAsync($"commit?container={id}&repo=localhost/{name}&tag=1&changes={change}", new { Entrypoint = entrypoint });
            Assert.True(committed.IsSuccessStatusCode, await committed.Content.ReadAsStringAsync());
            return $"localhost/{name}:1";
        }
        finally
        {
            await http.DeleteAsync($"containers/{id}?force=1");
        }
    }
}
