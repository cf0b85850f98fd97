using Microsoft.Extensions.Options;

namespace Orchestrator.Configuration;

public static class OptionsRegistration
{
    /// <summary>Binds a section to <typeparamref name="T"/>, validates its data annotations, and fails at start-up, not on first use.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
