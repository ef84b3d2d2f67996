#!/usr/bin/env bash
# `vigil hook install|uninstall` end to end: a real `git commit` is refused
# with a secret staged and allowed without; an existing hook is kept (refused
# without --force, backed up and chained with it, restored by uninstall);
# linked worktrees and core.hooksPath put the hook where git looks for it.
source "$(dirname "$0")/lib.sh"

repo=$TMP/repo
new_repo "$repo"
cd "$repo"

expect_rc 0 "install" "$VIGIL" hook install
check "hook written" test -x .git/hooks/pre-commit
check "hook runs this binary" grep -qF "$VIGIL" .git/hooks/pre-commit
check "hook has the marker line" grep -q "vigil-hook: managed" .git/hooks/pre-commit

echo "GITHUB_TOKEN=$TOKEN" >app.env
git add app.env
expect_rc 1 "commit with a secret is refused" git commit -qm "add token"
check "refusal names the rule" contains "$OUT" "github-pat-classic"
check "refusal says why" contains "$OUT" "commit refused"
check "refusal never prints the secret" bash -c '! grep -qF "$1" <<<"$2"' _ "$TOKEN" "$OUT"
check "nothing was committed" test "$(git rev-list --count HEAD)" = 1

echo "GITHUB_TOKEN=\${GITHUB_TOKEN}" >app.env
git add app.env
expect_rc 0 "clean commit passes" git commit -qm "reference the token"
check "clean commit recorded" test "$(git rev-list --count HEAD)" = 2

# Only the staged content counts: a secret left unstaged does not block.
echo "GITHUB_TOKEN=$TOKEN" >>app.env
echo "x" >other.txt
git add other.txt
expect_rc 0 "unstaged secret does not block" git commit -qm "other"
git checkout -q -- app.env

# An inline suppression lets a reviewed test fixture through.
echo "token: $TOKEN  # vigil:ignore github-pat-classic" >fixture.yaml
git add fixture.yaml
expect_rc 0 "suppressed secret passes" git commit -qm "fixture"

# git commit -a and git commit PATH use a temporary index (GIT_INDEX_FILE).
echo "GITHUB_TOKEN=$TOKEN" >app.env
expect_rc 1 "git commit -a with a secret is refused" git commit -qam "commit -a"
check "commit -a refusal names the rule" contains "$OUT" "github-pat-classic"
expect_rc 1 "git commit PATH with a secret is refused" git commit -qm "commit path" app.env
check "still nothing committed" test "$(git log -1 --format=%s)" = "fixture"
git checkout -q -- app.env
echo "more" >>other.txt
expect_rc 0 "clean git commit -a passes" git commit -qam "clean -a"

# VIGIL_SKIP and --no-verify bypass it.
echo "T=$TOKEN2" >skip.env
git add skip.env
expect_rc 0 "VIGIL_SKIP=1 bypasses" env VIGIL_SKIP=1 git commit -qm "skip"

# Reinstalling over our own hook updates it without --force.
expect_rc 0 "reinstall updates" "$VIGIL" hook install
check "reinstall says updated" contains "$OUT" "updated"

# Uninstall removes it.
expect_rc 0 "uninstall" "$VIGIL" hook uninstall
check "hook removed" test ! -e .git/hooks/pre-commit
expect_rc 0 "uninstall again is a no-op" "$VIGIL" hook uninstall

# An existing hook is kept.
printf '#!/bin/sh\necho previous-hook-ran >>"%s"\nexit 0\n' "$TMP/prev.log" >.git/hooks/pre-commit
chmod +x .git/hooks/pre-commit
expect_rc 2 "install refuses to replace a foreign hook" "$VIGIL" hook install
check "refusal mentions --force" contains "$OUT" "--force"
check "foreign hook untouched" grep -q previous-hook-ran .git/hooks/pre-commit
expect_rc 2 "uninstall refuses a foreign hook" "$VIGIL" hook uninstall
check "foreign hook still there" grep -q previous-hook-ran .git/hooks/pre-commit

expect_rc 0 "install --force" "$VIGIL" hook install --force
check "backup made" grep -q previous-hook-ran .git/hooks/pre-commit.vigil-backup
check "vigil hook in place" grep -q "vigil-hook: managed" .git/hooks/pre-commit
echo "T=$TOKEN3" >third.env
git add third.env
expect_rc 1 "secret refused with --force hook" git commit -qm "third"
check "previous hook not run after a refusal" test ! -e "$TMP/prev.log"
git reset -q third.env && rm third.env
echo ok >ok.txt && git add ok.txt
expect_rc 0 "clean commit passes and chains" git commit -qm "ok"
check "previous hook ran after vigil" grep -q previous-hook-ran "$TMP/prev.log"

expect_rc 0 "uninstall restores the backup" "$VIGIL" hook uninstall
check "previous hook restored" grep -q previous-hook-ran .git/hooks/pre-commit
check "backup gone" test ! -e .git/hooks/pre-commit.vigil-backup
check "restored hook has no vigil marker" bash -c '! grep -q vigil-hook .git/hooks/pre-commit'
rm .git/hooks/pre-commit

# A linked worktree (.git is a file): the hook goes to the shared hooks dir.
git worktree add -q "$TMP/wt" -b wt-branch
cd "$TMP/wt"
check ".git is a file in the worktree" test -f .git
expect_rc 0 "install from a worktree" "$VIGIL" hook install
check "hook in the common hooks dir" test -x "$repo/.git/hooks/pre-commit"
echo "T=$TOKEN" >wt.env && git add wt.env
expect_rc 1 "worktree commit with a secret is refused" git commit -qm "wt secret"
git reset -q wt.env && rm wt.env
expect_rc 0 "uninstall from the worktree" "$VIGIL" hook uninstall
check "hook removed from the common dir" test ! -e "$repo/.git/hooks/pre-commit"

# core.hooksPath: the hook goes where git runs hooks from.
cd "$repo"
git config core.hooksPath .githooks
expect_rc 0 "install with core.hooksPath" "$VIGIL" hook install
check "hook in core.hooksPath" test -x "$repo/.githooks/pre-commit"
check "not in .git/hooks" test ! -e "$repo/.git/hooks/pre-commit"
echo "T=$TOKEN" >hp.env && git add hp.env
expect_rc 1 "core.hooksPath hook refuses a secret" git commit -qm "hp secret"
git reset -q hp.env && rm hp.env
expect_rc 0 "uninstall with core.hooksPath" "$VIGIL" hook uninstall
check "removed from core.hooksPath" test ! -e "$repo/.githooks/pre-commit"
git config --unset core.hooksPath

# A subdirectory path argument, and a non-repository.
mkdir -p "$repo/sub/dir"
expect_rc 0 "install PATH (a subdirectory)" "$VIGIL" hook install "$repo/sub/dir"
check "hook at the repository root" test -x "$repo/.git/hooks/pre-commit"
"$VIGIL" hook uninstall "$repo" >/dev/null
mkdir -p "$TMP/plain"
expect_rc 2 "not a repository" "$VIGIL" hook install "$TMP/plain"
check "says not a repository" contains "$OUT" "not inside a git repository"

finish
