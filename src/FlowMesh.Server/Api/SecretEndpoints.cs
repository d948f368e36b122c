using FlowMesh.Client.Models;
using FlowMesh.Engine.Secrets;
using FlowMesh.Engine.Store;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using FlowMesh.Workflows.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

/// <summary>
/// A tenant's secrets: set (operator), list names and delete. Values go in and never come out: they are sealed with
/// the configured key before they are stored, and only the engine opens them, to hand them to a task's executor.
/// </summary>
internal static class SecretEndpoints
{
    private const int MaxValueBytes = 64 * 1024;

    public static void Map(RouteGroupBuilder api)
    {
        var secrets = api.MapGroup("/secrets").WithTags("secrets");
        secrets.MapGet("", List).Requires("secret", "read", Roles.Viewer).Produces<IReadOnlyList<SecretInfo>>();
        secrets.MapPut("/{name}", Set).Requires("secret", "write", Roles.Operator).Accepts<SetSecretRequest>("application/json").Produces<SecretInfo>();
        secrets.MapDelete("/{name}", Delete).Requires("secret", "write", Roles.Operator).Produces<SecretInfo>();
    }

    private static IResult List(HttpContext http, StoreAccess stores)
    {
        using var store = stores.Open();
        return Results.Ok(store.ListSecrets(http.Caller().Tenant).Select(Map).ToList());
    }

    private static IResult Set(HttpContext http, StoreAccess stores, ServerOptions options, TimeProvider time, string name, SetSecretRequest? body)
    {
        CheckName(name);
        if (body?.Value is not { } value)
        {
            throw new ApiException(400, "invalid_body", "the body must be {\"value\": \"...\"}", "value");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
        {
            throw new ApiException(413, "secret_too_large", $"a secret holds at most {MaxValueBytes / 1024} KiB", "value");
        }

        var box = SecretBox.Parse(options.SecretKeys)
            ?? throw new ApiException(503, "secrets_not_configured", "this server has no secret keys: set FLOWMESH_SECRET_KEYS (ID=BASE64 of 32 bytes) to store secrets");
        var tenant = http.Caller().Tenant;
        var (keyId, nonce, ciphertext) = box.Encrypt(tenant, name, value);
        var row = new SecretRow(tenant, name, keyId, nonce, ciphertext, time.GetUtcNow());
        using var store = stores.Open();
        using (var tx = store.Begin())
        {
            tx.PutSecret(row);
            tx.Commit();
        }

        return Results.Ok(Map(row));
    }

    private static IResult Delete(HttpContext http, StoreAccess stores, string name)
    {
        CheckName(name);
        using var store = stores.Open();
        var tenant = http.Caller().Tenant;
        var row = store.GetSecret(tenant, name);
        using var tx = store.Begin();
        if (row is null || !tx.DeleteSecret(tenant, name))
        {
            throw new ApiException(404, "not_found", $"no secret '{name}'", "name");
        }

        tx.Commit();
        return Results.Ok(Map(row));
    }

    private static void CheckName(string name)
    {
        if (!SecretNames.IsValid(name))
        {
            throw new ApiException(400, "invalid_name", $"a secret name is {SecretNames.Rule}", "name");
        }
    }

    private static SecretInfo Map(SecretRow r) => new(r.Name, r.UpdatedAt, r.KeyId);
}
