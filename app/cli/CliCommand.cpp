#include "cli/CliCommand.h"

#include <cstdio>

namespace resosync::cli {

using namespace Qt::StringLiterals;

int CliCommand::parse(QCommandLineParser &parser, const QStringList &arguments) const {
    parser.setApplicationDescription(summary());
    const QCommandLineOption help(QStringList{u"h"_s, u"help"_s}, u"Show this help."_s);
    parser.addOption(help);
    if (!parser.parse(arguments)) {
        printError(u"resosync-cli %1: %2 (see 'resosync-cli %1 --help')"_s.arg(name(),
                                                                               parser.errorText()));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        QString text = parser.helpText();
        text.replace(arguments.value(0), u"resosync-cli "_s + name());
        printOut(text.trimmed());
        return ExitSuccess;
    }
    return -1;
}

int exitCodeFor(db::DbErrorKind kind) {
    switch (db::classify(kind)) {
    case db::DbErrorClass::BadSettings:
        return ExitUsage;
    case db::DbErrorClass::Unavailable:
        return ExitUnavailable;
    case db::DbErrorClass::Failed:
        break;
    }
    return ExitPartial;
}

QString secretFromEnv(const QCommandLineParser &parser, const QString &option, QString *error) {
    if (!parser.isSet(option))
        return {};
    const QString variable = parser.value(option);
    const QString value = qEnvironmentVariable(variable.toLocal8Bit().constData());
    if (value.isEmpty() && error->isEmpty())
        *error = u"--%1 names the environment variable '%2', which is empty or unset"_s.arg(
            option, variable);
    return value;
}

void printError(const QString &message) {
    std::fputs(message.toLocal8Bit().constData(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

void printOut(const QString &message) {
    std::fputs(message.toLocal8Bit().constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

} // namespace resosync::cli
