/* cli.h - the subcommands of the heeldrop program. Each takes argv with argv[0] set to
 * the subcommand's name and returns the process exit code (see hd_status_exit_code). */
#ifndef HEELDROP_CLI_H
#define HEELDROP_CLI_H

#ifdef __cplusplus
extern "C" {
#endif

int hd_cmd_analyze(int argc, char **argv);
int hd_cmd_synth(int argc, char **argv);
int hd_cmd_score(int argc, char **argv);
int hd_cmd_devices(int argc, char **argv);
int hd_cmd_live(int argc, char **argv);
int hd_cmd_review(int argc, char **argv);
int hd_cmd_history(int argc, char **argv);
int hd_cmd_report(int argc, char **argv);
int hd_cmd_plan(int argc, char **argv);
int hd_cmd_pain(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
