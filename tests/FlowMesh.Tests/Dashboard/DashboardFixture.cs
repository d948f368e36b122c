using FlowMesh.Client;
using FlowMesh.Tests.Support;
using Microsoft.Playwright;

namespace FlowMesh.Tests.Dashboard;

/// <summary>One real server (<c>flowmesh up</c>, tasks run here) and one headless Chromium for the dashboard tests.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private IPlaywright? _playwright;

    internal ServerProcess Server { get; private set; } = null!;

    internal FlowMeshClient Admin { get; private set; } = null!;

    internal IBrowser? Browser { get; private set; }

    internal string Barriers => Path.Combine(_dir.Path, "barriers");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Barriers);
        Server = await ServerProcess.StartAsync(Path.Combine(_dir.Path, "data"), "--unplaceable-timeout", "0", "--rate-limit", "1000");
        Admin = Server.Client(Server.AdminToken);
        if (File.Exists(Support.Browser.Executable))
        {
            (_playwright, Browser) = await Support.Browser.LaunchAsync();
        }
    }

    /// <summary>A new browser context (its own session storage) signed in with <paramref name="token"/> through the login dialog.</summary>
    internal async Task<IPage> SignInAsync(string token, string hash = "#/")
    {
        var context = await Browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(new Uri(Server.BaseAddress, "/dashboard/" + hash).ToString());
        await page.FillAsync("#login-token", token);
        await page.ClickAsync("#login-submit");
        await page.WaitForSelectorAsync("#login", new PageWaitForSelectorOptions { State = WaitForSelectorState.Hidden });
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Admin.Dispose();
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
