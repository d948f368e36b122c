using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.DependencyInjection;

namespace FlowMesh.Server.Extensibility;

/// <summary>Registers every public concrete type in the named assemblies that implements one of the extension interfaces.</summary>
internal static class ExtensionLoader
{
    private static readonly Type[] Contracts = [typeof(IIdentityProvider), typeof(ISubmissionGuard), typeof(IUsageSink), typeof(IPermissionChecker)];

    public static IReadOnlyList<string> Register(IServiceCollection services, IEnumerable<string> assemblyPaths)
    {
        var loaded = new List<string>();
        foreach (var path in assemblyPaths)
        {
            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(path));
            foreach (var type in Exported(assembly).Where(t => t is { IsClass: true, IsAbstract: false }))
            {
                foreach (var contract in Contracts.Where(c => c.IsAssignableFrom(type)))
                {
                    services.AddSingleton(contract, sp => ActivatorUtilities.CreateInstance(sp, type));
                    loaded.Add($"{contract.Name}: {type.FullName}");
                }
            }
        }

        return loaded;
    }

    private static IEnumerable<Type> Exported(Assembly assembly)
    {
        try
        {
            return assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            throw new InvalidOperationException($"extension assembly {assembly.Location} cannot be loaded: {ex.LoaderExceptions.FirstOrDefault()?.Message}", ex);
        }
    }
}
