using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Orchestrator.Configuration;

public static class OptionsRegistration
{
    /// <summary>
    /// Binds a section to <typeparamref name="T"/>, checks its data annotations (each failure named by its full key and
    /// value), and fails at start-up, not on first use.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new AnnotatedSettingsValidator<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }
}
