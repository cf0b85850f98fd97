namespace Orchestrator.Configuration;

/// <summary>A setting that cannot be used, found before the host starts (e.g. the port). Its message is one line naming the setting.</summary>
public sealed class SettingsException(string message) : Exception(message);
