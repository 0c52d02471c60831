-- Up Migration
-- Every batch inserts thousands of subject hashes; the foreign key ran one referential-integrity
-- trigger (a row lock on open_cells) per inserted hash, about half of the insert's cost. The hashes'
-- lifetime does not depend on it: publication deletes a window's hashes and cells explicitly in the
-- same transaction (MeasurementRepository.publishClosedWindows), and so does a pipeline reset.
ALTER TABLE cell_subjects DROP CONSTRAINT cell_subjects_cell_id_fkey;

-- Down Migration
DELETE FROM cell_subjects s WHERE NOT EXISTS (SELECT 1 FROM open_cells c WHERE c.id = s.cell_id);
ALTER TABLE cell_subjects
  ADD CONSTRAINT cell_subjects_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES open_cells (id) ON DELETE CASCADE;
