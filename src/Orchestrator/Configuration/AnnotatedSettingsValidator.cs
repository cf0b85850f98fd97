using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Orchestrator.Configuration;

/// <summary>
/// Checks the data annotations of an options class and of the option objects it holds, and names each failure by its
/// full configuration key with the value it found ("Orchestrator:Worker:Concurrency is invalid: …"), never a secret's.
/// </summary>
public sealed class AnnotatedSettingsValidator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(string section)
    : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = new List<string>();
        Check(options, typeof(T), section, failures, depth: 0);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Nested option types are public properties of T, preserved through T's annotation chain.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "As above.")]
    private static void Check(object options, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, string prefix, List<string> failures, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !property.CanRead)
            {
                continue;
            }

            var key = $"{prefix}:{property.Name}";
            var value = property.GetValue(options);
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                var result = attribute.GetValidationResult(value, new ValidationContext(options) { MemberName = property.Name, DisplayName = property.Name });
                if (result != ValidationResult.Success)
                {
                    failures.Add(Settings.Invalid(key, Expectation(attribute, result?.ErrorMessage), value));
                }
            }

            // Nested option objects (e.g. GitHub:Retry) are checked too; collections and simple values are not descended into.
            if (value is not null && depth < 4 && property.PropertyType.IsClass && property.PropertyType != typeof(string)
                && property.PropertyType != typeof(Uri) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(property.PropertyType))
            {
                Check(value, property.PropertyType, key, failures, depth + 1);
            }
        }
    }

    private static string Expectation(ValidationAttribute attribute, string? message) => attribute switch
    {
        RangeAttribute range => $"expected a value from {range.Minimum} to {range.Maximum}",
        RequiredAttribute => "a value is required",
        _ => (message ?? "not valid").TrimEnd('.'),
    };
}
