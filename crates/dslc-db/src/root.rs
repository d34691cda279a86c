//! The project-root rule for editor features, the same one the checker applies to includes
//! (E0302): a path is usable only if it lies inside the project root, both as written and after
//! symlinks are resolved, because a symlink inside the root may point outside it.

use std::path::{Path, PathBuf};

use crate::db::normalize;
use crate::files::{FileSystem, OsFileSystem};

/// Whether `path` lies inside `root` once `.`, `..` and symlinks are resolved.
pub fn inside(root: &Path, path: &Path) -> bool {
    let path = normalize(path);
    path.starts_with(root) && real(&path).starts_with(real(root))
}

/// `path` with symlinks resolved as far as it exists, as the database resolves include paths.
fn real(path: &Path) -> PathBuf {
    OsFileSystem.real_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_and_symlink_escapes_are_outside() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        let root = base.join("proj");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(base.join("outside.csv"), "id\n").unwrap();
        std::fs::write(root.join("inside.csv"), "id\n").unwrap();
        std::os::unix::fs::symlink(&base, root.join("up")).unwrap();
        std::os::unix::fs::symlink(root.join("sub"), root.join("down")).unwrap();
        assert!(inside(&root, &root.join("inside.csv")));
        assert!(inside(&root, &root.join("sub/../inside.csv")));
        assert!(inside(&root, &root.join("sub/missing/deeper.csv")), "missing files inside are inside");
        assert!(inside(&root, &root.join("down/x.csv")), "a symlink within the root is fine");
        assert!(!inside(&root, &root.join("../outside.csv")));
        assert!(!inside(&root, &root.join("sub/../../outside.csv")));
        assert!(!inside(&root, Path::new("/etc/passwd")));
        assert!(!inside(&root, &root.join("up/outside.csv")), "a symlink out of the root");
        assert!(!inside(&root, &root.join("up/missing.csv")), "a missing file behind a symlink out");
        assert!(!inside(&root, &root.join("up")));
    }

    #[test]
    fn paths_that_do_not_exist_at_all_are_compared_as_written() {
        let root = Path::new("dslc-no-such-dir/root");
        assert!(inside(root, &root.join("x.csv")));
        assert!(!inside(root, Path::new("dslc-no-such-dir/other/x.csv")));
        assert!(!inside(root, &root.join("../x.csv")));
    }
}
