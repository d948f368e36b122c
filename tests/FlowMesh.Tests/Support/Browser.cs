using Microsoft.Playwright;

namespace FlowMesh.Tests.Support;

/// <summary>
/// Debian's Chromium driven by Playwright (no browser download): headless, sandbox off (root in CI), and every host
/// name but localhost unresolvable, so a page can reach nothing but the server under test.
/// </summary>
internal static class Browser
{
    public const string Collection = "browser";

    public static string Executable { get; } = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    /// <summary>Where screenshots go: FLOWMESH_TEST_ARTIFACTS (CI keeps that folder), else beside the test assembly.</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(Environment.GetEnvironmentVariable("FLOWMESH_TEST_ARTIFACTS")
        ?? Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public static bool Available(ITestOutputHelper output)
    {
        if (File.Exists(Executable))
        {
            return true;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"no Chromium at {Executable}: install Debian's chromium (.ci/chromium-install.sh) or set CHROMIUM_PATH");
        }

        output.WriteLine($"no Chromium at {Executable}: skipped");
        return false;
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Executable,
                Headless = true,
                Timeout = 60_000,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
                ],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public static async Task ScreenshotAsync(IPage page, string name, ITestOutputHelper output)
    {
        var path = Path.Combine(Artifacts, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}
