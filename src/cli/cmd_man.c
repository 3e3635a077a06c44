/*
 * cmd_man.c - `cpwarden help --man`: the manual page (roff), generated from the command table.
 *
 * Each command's part is its --help text (usage lines, prose, option list) converted to roff,
 * followed by the output formats its table row offers; the AWS options come from the same text
 * every command's help includes (CPW_CLI_AWS_OPTIONS_HELP) and the cpwarden-wide options from
 * cpw_cli_global_options_help, which `cpwarden help` prints too. So the help and the manual have
 * one copy of every option's description and cannot drift. The fixed sections (description,
 * exit status, environment, files with the protections file's format, examples) live here only.
 *
 * The build writes the page to build/man/cpwarden.1 and installs that; docs/cpwarden.1 is a
 * copy that the man.uptodate test keeps identical.
 */
#include <stdio.h>
#include <string.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/buf.h"

const char cpw_cli_global_options_help[] =
  "Global options (before or after the command; --log-level debug and --log-level=debug\n"
  "are the same):\n"
  "  --log-level LEVEL   error, warn (default), info, debug or trace (CPW_LOG_LEVEL)\n"
  "  --debug             --log-level debug, and every HTTP exchange on stderr (secrets\n"
  "                      masked)\n"
  "  --color WHEN        on, off or auto (default: colour on a terminal unless NO_COLOR\n"
  "                      is set or TERM is dumb)\n"
  "  --no-color          the same as --color off\n"
  "  --no-progress       no progress lines on stderr\n"
  "  --help              a command's help; before any command, the list of commands\n"
  "  --version           print the version and exit (before any command)\n";

#define MAN_MAX_BYTES ((size_t)4 * 1024 * 1024)

/* Text escaped for roff: backslashes, hyphens as \- (options stay copyable), a leading dot or
 * quote made literal. */
static void s_escaped(struct cpw_buf *out, struct cpw_span text)
{
    if (text.len && (text.ptr[0] == '.' || text.ptr[0] == '\'')) {
        (void)cpw_buf_append_cstr(out, "\\&");
    }
    for (size_t i = 0; i < text.len; i++) {
        switch (text.ptr[i]) {
        case '\\':
            (void)cpw_buf_append_cstr(out, "\\e");
            break;
        case '-':
            (void)cpw_buf_append_cstr(out, "\\-");
            break;
        default:
            (void)cpw_buf_append_byte(out, text.ptr[i]);
        }
    }
}

static size_t s_indent(struct cpw_span line)
{
    size_t n = 0;
    while (n < line.len && line.ptr[n] == ' ') {
        n++;
    }
    return n;
}

static bool s_has_lower(struct cpw_span word)
{
    for (size_t i = 0; i < word.len; i++) {
        if (word.ptr[i] >= 'a' && word.ptr[i] <= 'z') {
            return true;
        }
    }
    return false;
}

/* Where an option entry's tag ends: at the first run of two or more spaces; without one, after
 * the option names and the value names that follow them (words without lower case). */
static size_t s_gap(struct cpw_span line)
{
    for (size_t i = 0; i + 1 < line.len; i++) {
        if (line.ptr[i] == ' ' && line.ptr[i + 1] == ' ') {
            return i;
        }
    }
    struct cpw_span rest = line;
    struct cpw_span word;
    size_t end = 0;
    while (cpw_span_next_token(&rest, ' ', &word)) {
        if (word.len && word.ptr[0] != '-' && s_has_lower(word)) {
            break;
        }
        end = (size_t)(word.ptr - line.ptr) + word.len;
    }
    return end;
}

/* An option list entry's tag ("-o, --output-file PATH"): option names bold, values italic. */
static void s_tag(struct cpw_buf *out, struct cpw_span tag)
{
    struct cpw_span word;
    bool first = true;
    while (cpw_span_next_token(&tag, ' ', &word)) {
        if (word.len == 0) {
            continue;
        }
        bool comma = word.ptr[word.len - 1] == ',';
        if (comma) {
            word.len--;
        }
        (void)cpw_buf_append_cstr(out, first ? "" : " ");
        (void)cpw_buf_append_cstr(out, word.len && word.ptr[0] == '-' ? "\\fB" : "\\fI");
        s_escaped(out, word);
        (void)cpw_buf_append_cstr(out, comma ? "\\fR," : "\\fR");
        first = false;
    }
    (void)cpw_buf_append_byte(out, '\n');
}

enum block {
    BLOCK_NONE,
    BLOCK_PROSE,
    BLOCK_LIST,
    BLOCK_VERBATIM,
};

static void s_enter(struct cpw_buf *out, enum block *state, enum block want)
{
    if (*state == want) {
        return;
    }
    if (*state == BLOCK_VERBATIM) {
        (void)cpw_buf_append_cstr(out, ".fi\n.RE\n");
    }
    if (want == BLOCK_VERBATIM) {
        (void)cpw_buf_append_cstr(out, ".RS 4\n.nf\n");
    } else if (want == BLOCK_PROSE && *state != BLOCK_NONE) {
        (void)cpw_buf_append_cstr(out, ".PP\n");
    }
    *state = want;
}

/*
 * Help text to roff: non-indented lines are prose (a blank line starts a paragraph); an indented
 * line starting with '-' is an option entry (tag, two spaces, description), and lines indented
 * deeper continue its description; other indented lines (examples) are kept verbatim.
 */
static void s_help_body(struct cpw_buf *out, struct cpw_span text)
{
    enum block state = BLOCK_NONE;
    size_t item_indent = 0;
    struct cpw_span line;
    while (cpw_span_next_token(&text, '\n', &line)) {
        size_t indent = s_indent(line);
        struct cpw_span body = cpw_span_sub(line, indent, line.len);
        if (body.len == 0) {
            if (state != BLOCK_NONE) {
                s_enter(out, &state, BLOCK_NONE);
                (void)cpw_buf_append_cstr(out, ".PP\n");
            }
            continue;
        }
        if (indent == 0) {
            s_enter(out, &state, BLOCK_PROSE);
        } else if (state == BLOCK_LIST && indent > item_indent) {
            /* the description of the entry above, continued */
        } else if (body.ptr[0] == '-') {
            s_enter(out, &state, BLOCK_LIST);
            item_indent = indent;
            size_t gap = s_gap(body);
            (void)cpw_buf_append_cstr(out, ".TP\n");
            s_tag(out, cpw_span_sub(body, 0, gap));
            body = cpw_span_trim(cpw_span_sub(body, gap, body.len));
            if (body.len == 0) {
                continue;
            }
        } else {
            s_enter(out, &state, BLOCK_VERBATIM);
            body = line;
        }
        s_escaped(out, body);
        (void)cpw_buf_append_byte(out, '\n');
    }
    s_enter(out, &state, BLOCK_NONE);
}

/* One command: its usage lines as the synopsis, the rest of its help, its formats. */
static void s_command(struct cpw_buf *out, const struct cpw_cli_command *cmd)
{
    (void)cpw_buf_appendf(out, ".SS \"cpwarden %s\"\n", cmd->name);
    struct cpw_span text = cpw_span_from_cstr(cmd->help);
    struct cpw_span line;
    static const char usage[] = "usage: ";
    (void)cpw_buf_append_cstr(out, ".nf\n");
    while (cpw_span_next_token(&text, '\n', &line) && line.len) {
        /* "usage: " goes, and as much of the continuation lines' indentation */
        size_t skip = s_indent(line);
        if (cpw_span_starts_with(line, cpw_span_from_cstr(usage)) || skip > sizeof(usage) - 1) {
            skip = sizeof(usage) - 1;
        }
        s_escaped(out, cpw_span_sub(line, skip, line.len));
        (void)cpw_buf_append_byte(out, '\n');
    }
    (void)cpw_buf_append_cstr(out, ".fi\n.PP\n");
    /* The AWS options, listed once in their own section. */
    const char *aws = strstr((const char *)text.ptr, CPW_CLI_AWS_OPTIONS_HELP);
    if (aws) {
        size_t before = (size_t)(aws - (const char *)text.ptr);
        s_help_body(out, cpw_span_sub(text, 0, before));
        (void)cpw_buf_append_cstr(out, ".PP\nIt also takes the \\fBAWS OPTIONS\\fR.\n.PP\n");
        s_help_body(out, cpw_span_sub(text, before + strlen(CPW_CLI_AWS_OPTIONS_HELP), text.len));
    } else {
        s_help_body(out, text);
    }
    if (cmd->formats) {
        (void)cpw_buf_append_cstr(out, ".PP\nOutput formats (\\fB\\-\\-output\\fR): ");
        struct cpw_span formats = cpw_span_from_cstr(cmd->formats);
        struct cpw_span format;
        const char *sep = "";
        while (cpw_span_next_token(&formats, ',', &format)) {
            (void)cpw_buf_appendf(out, "%s\\fB", sep);
            s_escaped(out, format);
            (void)cpw_buf_append_cstr(out, "\\fR");
            sep = ", ";
        }
        (void)cpw_buf_append_cstr(out, " (the first is the default).\n");
    }
    if (cmd->writes_file) {
        (void)cpw_buf_append_cstr(
          out, "Writes its file where \\fB\\-o\\fR, \\fB\\-\\-output\\-file\\fR says.\n");
    }
}

static const char s_head[] =
  ".TH CPWARDEN 1 \"\" \"cpwarden " CPW_VERSION "\" \"User Commands\"\n"
  ".\\\" Generated by 'cpwarden help --man' from the command table; do not edit.\n"
  ".SH NAME\n"
  "cpwarden \\- find and safely remove what deleted Amazon Connect instances leave behind\n"
  ".SH SYNOPSIS\n"
  ".B cpwarden\n"
  "[\\fIGLOBAL OPTIONS\\fR]\n"
  ".I COMMAND\n"
  "[\\fIARGS\\fR...] [\\fIGLOBAL OPTIONS\\fR]\n"
  ".br\n"
  ".B cpwarden help\n"
  "[\\fICOMMAND\\fR]\n"
  ".br\n"
  ".B cpwarden \\-\\-version\n"
  ".SH DESCRIPTION\n"
  "Deleting an Amazon Connect instance leaves its Customer Profiles domain, the domain's\n"
  "service\\-linked role \\fBAWSServiceRoleForProfile_\\fIid\\fR and the instance's\n"
  "\\fBAWSServiceRoleForAmazonConnect_\\fIid\\fR behind.\n"
  ".B cpwarden\n"
  "finds them (\\fBinventory\\fR), plans their removal (\\fBplan\\fR), backs the domains up and\n"
  "deletes them with every step journaled (\\fBapply\\fR), and ships a local, wire\\-compatible\n"
  "AWS (\\fBsandbox\\fR) to rehearse it offline.\n"
  "Data goes to standard output; diagnostics and progress go to standard error.\n"
  "Every command prints the text of its part of this page with \\fB\\-\\-help\\fR.\n"
  ".SH COMMANDS\n";

static const char s_aws_head[] =
  ".SH AWS OPTIONS\n"
  "Commands that call AWS take the AWS CLI's options, before or after the command:\n";

static const char s_aws_tail[] =
  ".PP\n"
  "\\fB\\-\\-no\\-fips\\fR and \\fB\\-\\-no\\-dualstack\\fR turn a setting from the\n"
  "environment or the profile off.\n"
  "\\fB\\-\\-output\\fR is always the format; each command offers the formats listed in its\n"
  "part of \\fBCOMMANDS\\fR, and an explicit \\fB\\-\\-output\\fR it does not write is a usage\n"
  "error naming its choices. A format from the environment or the profile\n"
  "(\\fBAWS_DEFAULT_OUTPUT\\fR, \\fBoutput = text\\fR) that a command does not write gives that\n"
  "command's default. The file a command writes is always \\fB\\-o\\fR, "
  "\\fB\\-\\-output\\-file\\fR\n"
  "\\fIPATH\\fR (a format's name given as the file is refused).\n"
  "A malformed \\fB\\-\\-region\\fR is a usage error (252).\n";

static const char *const s_tail[] = {
    ".SH QUERY\n"
    "\\fB\\-\\-query\\fR \\fIEXPR\\fR takes a JMESPath expression (https://jmespath.org), the\n"
    "language of the AWS CLI's \\fB\\-\\-query\\fR, implemented in full and checked against the\n"
    "official compliance suite. An expression that does not parse is refused before any request\n"
    "with exit status 252; it is applied to the complete document just before printing.\n"
    "See docs/query.md.\n",
    ".SH EXIT STATUS\n"
    ".TP\n.B 0\nSuccess.\n"
    ".TP\n.B 1\nThe command ran and failed (a verification that did not match, for example).\n"
    ".TP\n.B 3\n"
    "Results were printed but part of the work failed (a partial scan, a partial restore).\n"
    ".TP\n.B 4\n"
    "apply refused: a bad, edited, stale or protected plan, no confirmation, a plan or account\n"
    "locked by another apply, or a step whose preconditions no longer held (and none failed).\n"
    ".TP\n.B 5\n"
    "audit found a violation at or above \\fB\\-\\-fail\\-on\\fR.\n"
    ".TP\n.B 6\n"
    "doctor found a problem (a needed action denied, a failed deletion task, ...).\n"
    ".TP\n.B 130\nInterrupted (SIGINT).\n"
    ".TP\n.B 252\nInvalid syntax, an unknown command or option, or invalid input.\n"
    ".TP\n.B 253\nInvalid environment, configuration or credentials.\n"
    ".TP\n.B 254\nAn AWS service answered with an error.\n"
    ".TP\n.B 255\nAny other failure.\n",
    ".SH ENVIRONMENT\n"
    ".TP\n.B AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION\n"
    "Profile and region, as for the AWS CLI.\n"
    ".TP\n.B AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN\n"
    "Credentials; the rest of the chain (web identity, profiles, role_arn, credential_process,\n"
    "SSO, container, IMDSv2) is described in docs/credentials.md.\n"
    ".TP\n.B AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_\\fISERVICE\\fB, "
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS\n"
    "Endpoint overrides; see docs/regions\\-and\\-endpoints.md.\n"
    ".TP\n.B AWS_MAX_ATTEMPTS, AWS_RETRY_MODE\n"
    "Retries: \\fBstandard\\fR, \\fBadaptive\\fR or \\fBlegacy\\fR.\n"
    ".TP\n.B AWS_DEFAULT_OUTPUT\n"
    "The output format, when the command offers it.\n"
    ".TP\n.B AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CA_BUNDLE\n"
    "The AWS CLI's shared files and the CA bundle.\n"
    ".TP\n.B CPW_LOG_LEVEL\n"
    "error, warn (default), info, debug or trace. Secrets never appear in logs.\n"
    ".TP\n.B NO_COLOR, TERM\n"
    "No colour when \\fBNO_COLOR\\fR is set; no escape sequences when \\fBTERM\\fR is dumb.\n"
    ".TP\n.B XDG_STATE_HOME, XDG_CONFIG_HOME\n"
    "Where the state store and the protections file live (see \\fBFILES\\fR).\n",
    ".SH FILES\n"
    ".TP\n.I ~/.aws/config, ~/.aws/credentials\n"
    "The AWS CLI's shared files, read as the AWS CLI reads them: \\fB[profile\\fR "
    "\\fIname\\fB]\\fR\n"
    "sections in config, \\fB[\\fIname\\fB]\\fR in credentials, \\fB#\\fR and \\fB;\\fR comment\n"
    "lines, and indented \\fIkey\\fR = \\fIvalue\\fR lines under a key without a value as its\n"
    "sub\\-settings (\\fBs3 =\\fR, \\fBservices\\fR sections).\n"
    ".TP\n.I $XDG_STATE_HOME/cpwarden\n"
    "The state store (default \\fI~/.local/state/cpwarden\\fR): inventory snapshots, apply's\n"
    "journal and locks, backups and their index; \\fB\\-\\-state\\fR \\fIDIR\\fR names another.\n"
    "Files holding account data are mode 0600.\n"
    ".TP\n.I $XDG_CONFIG_HOME/cpwarden/config\n"
    "The protections file (default \\fI~/.config/cpwarden/config\\fR; \\fB\\-\\-config\\fR\n"
    "\\fIFILE\\fR names another): what \\fBplan\\fR and \\fBapply\\fR must never touch. A missing\n"
    "file at the default place means the defaults. Format:\n"
    ".IP\n.nf\n"
    "# comment lines start with # or ;\n"
    "[accounts]\n"
    "blocklist = 111111111111, 222222222222\n"
    "allow = 333333333333\n"
    "[protect]\n"
    "domains = prod\\-*, *\\-keep\n"
    "roles = AWSServiceRoleForAmazonConnect_Keep*\n"
    "tag_key = cpwarden:protect\n"
    "tag_value = *\n"
    ".fi\n"
    ".IP\n"
    "\\fBblocklist\\fR: account ids never touched; \\fBallow\\fR: when set, the only accounts\n"
    "touched; \\fBdomains\\fR, \\fBroles\\fR: comma\\-separated \\fBfnmatch\\fR(3) globs on "
    "names;\n"
    "a resource carrying the tag \\fBtag_key\\fR with the value \\fBtag_value\\fR (\\fB*\\fR: any\n"
    "value, the default; the default key is \\fBcpwarden:protect\\fR) is protected. List keys may\n"
    "repeat and add up; for \\fBtag_key\\fR and \\fBtag_value\\fR the last wins. The format is\n"
    "strict: an unknown section or key, a line that is not \\fIkey\\fR = \\fIvalue\\fR, an empty\n"
    "list item or an account id that is not 12 digits is an error naming "
    "\\fIFILE\\fR:\\fILINE\\fR,\n"
    "because a misspelt protection must never silently protect nothing. A protected target\n"
    "becomes a skipped action whose reason names the rule, the file and the line; "
    "\\fB\\-\\-force\\fR\n"
    "does not override it. See docs/configuration.md.\n",
    ".SH EXAMPLES\n"
    ".nf\n"
    "cpwarden inventory \\-\\-regions us\\-east\\-1,eu\\-west\\-2\n"
    "cpwarden plan \\-o plan.json\n"
    "cpwarden apply plan.json\n"
    "cpwarden history \\-\\-output markdown\n"
    "cpwarden sandbox \\-\\-port 0 \\-\\-env\\-file sandbox.env\n"
    ".fi\n",
    ".SH SEE ALSO\n"
    ".BR aws (1),\n"
    ".BR fnmatch (3);\n"
    "docs/cleanup\\-guide.md, docs/configuration.md, docs/sandbox.md in the source.\n",
};

int cpw_cli_man_page(FILE *out)
{
    struct cpw_buf page;
    cpw_buf_init(&page, MAN_MAX_BYTES);
    (void)cpw_buf_append_cstr(&page, s_head);
    size_t n = 0;
    const struct cpw_cli_command *const *cmds = cpw_cli_commands(&n);
    for (size_t i = 0; i < n; i++) {
        s_command(&page, cmds[i]);
    }
    (void)cpw_buf_append_cstr(&page, ".SH GLOBAL OPTIONS\n");
    struct cpw_span globals = cpw_span_from_cstr(cpw_cli_global_options_help);
    struct cpw_span first;
    (void)cpw_span_next_token(&globals, '\n', &first);
    s_escaped(&page, first);
    (void)cpw_buf_append_byte(&page, '\n');
    s_help_body(&page, globals);
    (void)cpw_buf_append_cstr(
      &page, ".PP\nAn unknown command or option is a usage error (252) that names the nearest.\n");
    (void)cpw_buf_append_cstr(&page, s_aws_head);
    struct cpw_span aws = cpw_span_from_cstr(CPW_CLI_AWS_OPTIONS_HELP);
    (void)cpw_span_next_token(&aws, '\n', &first); /* its heading */
    s_help_body(&page, aws);
    (void)cpw_buf_append_cstr(&page, s_aws_tail);
    for (size_t i = 0; i < sizeof(s_tail) / sizeof(s_tail[0]); i++) {
        (void)cpw_buf_append_cstr(&page, s_tail[i]);
    }
    struct cpw_span all = cpw_buf_span(&page);
    int rc = fwrite(all.ptr, 1, all.len, out) == all.len ? CPW_EXIT_OK : CPW_EXIT_OTHER;
    cpw_buf_clean_up(&page);
    return rc;
}
